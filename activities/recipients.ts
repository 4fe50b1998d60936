/**
 * Who a notification reaches, per recipient, by their notification
 * preferences (docs/preferences.md). The worker hands the activity a
 * `PreferenceSource` that reads each recipient's preferences at send time (from
 * their `recipientPreferences` workflow, cached briefly) and signs their
 * unsubscribe link; ../workflows/preferencePolicy.ts decides:
 *
 * - essential messages go to everyone, at once;
 * - a recipient who unsubscribed, or turned off the kind or the channel, is
 *   skipped (`suppressed`);
 * - a recipient in quiet hours waits (`deferred` until they end) when the
 *   caller requests the notification again then (`request.deferrable`).
 *
 * An e-mail to several contacts goes out as one copy per contact (each with
 * its own unsubscribe link), each copy recorded in the sent-log under its own
 * key, so a retry or a later request for the same notification reaches only
 * those who have not had it.
 */
import type { DeliveryResult, SlackTarget } from '../workflows/notifications';
import type { Preferences } from '../workflows/preferences';
import { DEFAULT_PREFERENCES, type RecipientDecision } from '../workflows/preferencePolicy';
import { deliveryHash } from './sentLog';

export interface PreferenceSource {
  /**
   * The preferences of an address (an e-mail address or a Slack user id); the
   * defaults for a recipient who never set any. Throws when they cannot be read:
   * Temporal retries the activity rather than send against someone's wishes.
   */
  read(address: string): Promise<Preferences>;
  /** The address's signed unsubscribe link; undefined when links are off (no PREFERENCES_SECRET). */
  unsubscribeUrl(address: string): string | undefined;
}

/** No preferences anywhere: everyone gets everything, and e-mails carry no link. */
export const NO_PREFERENCES: PreferenceSource = {
  read: async () => DEFAULT_PREFERENCES,
  unsubscribeUrl: () => undefined,
};

/** E-mail addresses compare case-insensitively; Slack ids as they are. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.includes('@') ? trimmed.toLowerCase() : trimmed;
}

/**
 * A recipient's id: the first 32 hex digits of the sha256 of the normalised
 * address. Ids, workflow ids, logs and sent-log keys carry it, never the address.
 */
export function recipientId(address: string): string {
  return deliveryHash(normaliseAddress(address)).slice(0, 32);
}

/**
 * The people behind a Slack target whose preferences apply: a manager's DM is
 * theirs (by Slack id and by e-mail address). Posts to the escalation channel,
 * or to it for a manager without a Slack id, are the team's: no one's
 * preferences hold them back.
 */
export function slackRecipients(to: SlackTarget): string[] {
  if (to.escalation || !to.userId) return [];
  return to.label.includes('@') ? [to.label, to.userId] : [to.userId];
}

/** What happened for one recipient. */
export type Outcome =
  | { status: 'sent'; providerId?: string; duplicate?: boolean }
  | { status: 'failed'; error: string }
  | { status: 'suppressed'; reason: string }
  | { status: 'deferred'; untilMs: number };

export function outcomeOf(decision: Exclude<RecipientDecision, { action: 'send' }>): Outcome {
  return decision.action === 'suppress' ? { status: 'suppressed', reason: decision.reason } : { status: 'deferred', untilMs: decision.untilMs };
}

/** One result for the whole notification: sent if anyone got it; the reasons for the others, counted. */
export function summarise(key: string, outcomes: readonly Outcome[]): DeliveryResult {
  const of = <S extends Outcome['status']>(status: S) => outcomes.filter((o): o is Extract<Outcome, { status: S }> => o.status === status);
  const [sent, failed, suppressed, deferred] = [of('sent'), of('failed'), of('suppressed'), of('deferred')];
  const counted = (n: number, what: string) => (outcomes.length === 1 ? what : `${n} of ${outcomes.length} recipients: ${what}`);
  const grouped = (reasons: string[]) => [...new Set(reasons)].map((r) => counted(reasons.filter((x) => x === r).length, r));

  const status = sent.length ? 'sent' : deferred.length ? 'deferred' : failed.length ? 'failed' : 'suppressed';
  const reasons = [...grouped(suppressed.map((o) => o.reason)), ...(deferred.length ? [counted(deferred.length, 'quiet hours')] : [])];
  const errors = grouped(failed.map((o) => o.error));
  const retryAt = deferred.length ? new Date(Math.min(...deferred.map((o) => o.untilMs))).toISOString() : undefined;
  const providerId = sent.find((o) => o.providerId)?.providerId;
  return {
    key,
    status,
    ...(providerId ? { providerId } : {}),
    ...(sent.length && sent.every((o) => o.duplicate) ? { duplicate: true } : {}),
    ...(errors.length ? { error: errors.join('; ') } : {}),
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    ...(retryAt ? { retryAt } : {}),
  };
}
