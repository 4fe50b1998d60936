/**
 * Signed preference links: what the unsubscribe link in every e-mail carries.
 *
 *   token = base64url(payload) "." base64url(HMAC-SHA256(secret, "preferences-link.v1." + base64url(payload)))
 *   payload = { r: recipientId, h: masked address (l***@acme.example), x: expiry, in whole days since 1970 }
 *
 * It needs no login: it grants exactly one thing, changing the notification
 * preferences of the one recipient it was made for. It expires after
 * LINK_VALID_DAYS (every new e-mail carries a fresh one), so a link in an old
 * mail archive or a forwarded e-mail stops working one day. Expiry counts in
 * whole days, so every attempt of one delivery on one day renders the same link.
 * PREFERENCES_SECRET may list several secrets (comma-separated): the first
 * signs, all verify, so a secret can be rotated without breaking recent links.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { recipientId } from '../../activities/recipients';

/** How long a link works after the e-mail that carried it was sent. */
export const LINK_VALID_DAYS = 365;
const DAY = 86_400_000;
const PURPOSE = 'preferences-link.v1.';

export type VerifiedLink =
  | { ok: true; recipientId: string; hint: string; expiresAt: string }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export interface PreferenceLinks {
  /** The unsubscribe URL for `address`, valid for LINK_VALID_DAYS from `nowMs`. */
  url(address: string, nowMs?: number): string;
  token(address: string, nowMs?: number): string;
  verify(token: string, nowMs?: number): VerifiedLink;
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** `lee@acme.example` -> `l***@acme.example`: enough to recognise it, not to read it. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return `${address.slice(0, 1)}***`;
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}

export function preferenceLinks(opts: { secrets: readonly string[]; publicUrl: string }): PreferenceLinks {
  if (!opts.secrets.length) throw new Error('preference links need at least one secret');
  const base = opts.publicUrl.replace(/\/+$/, '');
  const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(PURPOSE + payload).digest();

  const token = (address: string, nowMs = Date.now()) => {
    const payload = b64(
      JSON.stringify({ r: recipientId(address), h: maskAddress(address.trim()), x: Math.floor(nowMs / DAY) + LINK_VALID_DAYS }),
    );
    return `${payload}.${b64(sign(opts.secrets[0]!, payload))}`;
  };

  return {
    token,
    url: (address, nowMs) => `${base}/unsubscribe?token=${token(address, nowMs)}`,
    verify(raw, nowMs = Date.now()) {
      const parts = raw.split('.');
      if (parts.length !== 2 || !/^[A-Za-z0-9_-]{1,400}$/.test(parts[0]!) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1]!)) {
        return { ok: false, reason: 'malformed' };
      }
      const [payload, signature] = parts as [string, string];
      const given = Buffer.from(signature, 'base64url');
      // One spelling per signature: the last character's 2 unused bits could otherwise
      // spell the same bytes 4 ways, and a changed link would pass for the original.
      if (b64(given) !== signature) return { ok: false, reason: 'signature' };
      // Every secret is tried (no early exit): the time taken does not say which one matched.
      const valid = opts.secrets.map((s) => timingSafeEqual(sign(s, payload), given)).some(Boolean);
      if (!valid) return { ok: false, reason: 'signature' };
      let data: unknown;
      try {
        data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const { r, h, x } = (data ?? {}) as Record<string, unknown>;
      if (typeof r !== 'string' || !/^[0-9a-f]{32}$/.test(r) || typeof h !== 'string' || typeof x !== 'number' || !Number.isInteger(x)) {
        return { ok: false, reason: 'malformed' };
      }
      if (x * DAY <= nowMs) return { ok: false, reason: 'expired' };
      return { ok: true, recipientId: r, hint: h, expiresAt: new Date(x * DAY).toISOString() };
    },
  };
}
