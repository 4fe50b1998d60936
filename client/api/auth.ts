/**
 * Who may call what. `Authorization: Bearer <key>` with keys from API_KEYS
 * (role:key); or, on webhook routes, an HMAC-SHA256 signature of
 * `${timestamp}.${rawBody}` with WEBHOOK_SECRET, which counts as the system role.
 * Every comparison is constant-time over SHA-256 digests, so neither the
 * content nor the length of a secret leaks through timing.
 *
 * With no API keys configured the API is open, and only on loopback.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiRole, Config } from '../../config/env';
import { HttpError } from './errors';

export const TIMESTAMP_HEADER = 'x-onboarding-timestamp';
export const SIGNATURE_HEADER = 'x-onboarding-signature';
/** A signature older (or newer) than this is refused, so a captured request cannot be replayed later. */
export const REPLAY_WINDOW_SECONDS = 300;

/**
 * Who may call a route: anyone, bearers of one of the roles (webhook: or a
 * valid signature; basic: or HTTP Basic with the key as password, which a
 * browser can remember, for the codec endpoint the Temporal Web UI calls; link:
 * or a signed preferences link in `?token=`, which the route itself verifies
 * against the recipient it names), or Slack (the route verifies Slack's own
 * signature).
 */
export type Access = 'public' | 'slack' | { roles: readonly ApiRole[]; webhook?: boolean; basic?: boolean; link?: boolean };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The value of X-Onboarding-Signature for a body sent at `timestamp` (unix seconds). */
export function signBody(secret: string, timestamp: number | string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses to serve an open API (no keys) beyond loopback; the message is one line for the operator. */
export function assertSafeBinding(http: Config['http']): void {
  if (http.apiKeys.length === 0 && !isLoopback(http.host)) {
    throw new Error(
      `refusing to listen on HTTP_HOST=${http.host} without API_KEYS: an open API is served on loopback only (set API_KEYS, or HTTP_HOST=127.0.0.1)`,
    );
  }
}

const unauthorized = (message: string, basic = false) =>
  new HttpError(401, 'unauthorized', message, undefined, {
    'www-authenticate': basic ? 'Basic realm="onboarding codec", charset="UTF-8"' : 'Bearer realm="onboarding"',
  });

/** The key of `Authorization: Bearer <key>`, or the password of `Basic base64(user:key)` where allowed. */
function presentedKey(authorization: string, basic: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  const credentials = basic ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!credentials) return undefined;
  const decoded = Buffer.from(credentials[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A preferences link token in the query: the route verifies it (client/api/preferenceRoutes.ts). */
export function hasLinkToken(req: FastifyRequest): boolean {
  return typeof (req.query as Record<string, unknown> | undefined)?.token === 'string';
}

export class Authenticator {
  constructor(
    private readonly http: Config['http'],
    private readonly nowMs: () => number = Date.now,
  ) {}

  get open(): boolean {
    return this.http.apiKeys.length === 0;
  }

  /** Runs before the body is read: bearer keys. Signed webhook requests are checked once the body is in. */
  checkBearer(req: FastifyRequest, access: Access): void {
    if (access === 'public' || access === 'slack' || this.open) return;
    if (access.webhook && this.isSigned(req)) return;
    if (access.link && hasLinkToken(req)) return;
    const basic = access.basic === true;
    const token = presentedKey(header(req, 'authorization') ?? '', basic);
    if (token === undefined) {
      throw unauthorized(basic ? 'send Authorization: Bearer <key>, or HTTP Basic with the key as password' : 'send Authorization: Bearer <key>', basic);
    }
    // Compare against every key (no early exit): the time taken does not depend on which key matched.
    const roles = new Set(this.http.apiKeys.filter((k) => sameSecret(k.key, token)).map((k) => k.role));
    if (roles.size === 0) throw unauthorized('the API key is not valid', basic);
    if (!access.roles.some((r) => roles.has(r))) {
      throw new HttpError(403, 'forbidden', `this route needs the ${access.roles.join(' or ')} role`);
    }
  }

  /** Runs after the body is read (the signature covers the raw body). */
  checkSignature(req: FastifyRequest, access: Access, rawBody: string): void {
    if (access === 'public' || access === 'slack' || !access.webhook || !this.isSigned(req)) return;
    const secret = this.http.webhookSecret;
    if (!secret) {
      if (this.open) return;
      throw unauthorized('webhook signatures are not accepted here (WEBHOOK_SECRET is not set)');
    }
    const timestamp = header(req, TIMESTAMP_HEADER) ?? '';
    if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized(`${TIMESTAMP_HEADER} must be unix seconds`);
    if (Math.abs(this.nowMs() / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
      throw unauthorized(`the signature timestamp is outside the ${REPLAY_WINDOW_SECONDS}-second window`);
    }
    if (!sameSecret(signBody(secret, timestamp, rawBody), header(req, SIGNATURE_HEADER) ?? '')) {
      throw unauthorized('the webhook signature does not match the body');
    }
  }

  private isSigned(req: FastifyRequest): boolean {
    return header(req, SIGNATURE_HEADER) !== undefined || header(req, TIMESTAMP_HEADER) !== undefined;
  }
}
