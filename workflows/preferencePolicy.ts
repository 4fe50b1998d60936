/**
 * The rules of notification preferences, as pure functions: validating and
 * applying a change (the `recipientPreferences` workflow), and deciding, at
 * send time, whether a message reaches a recipient now, later (quiet hours) or
 * not at all (the notification activity).
 *
 * No zod here: this module runs in the workflow bundle. `checkChange` accepts
 * exactly what ./preferences.ts `PreferencesChange` accepts (a property test
 * holds them together, test/unit/preferences.test.ts).
 */
import { NOTIFICATION_KINDS, type NotificationKind } from './notifications';
import type { Channel, Preferences, PreferencesChange, QuietHours } from './preferences';
import type { FieldError } from './types';
import { instantOf, wallTime } from './domain/businessHours';

const CHANNEL_NAMES: readonly Channel[] = ['email', 'slack'];
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Everything on: the preferences of a recipient who never changed any. */
export const DEFAULT_PREFERENCES: Preferences = { unsubscribed: false, mutedKinds: [], mutedChannels: [], quietHours: null };

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkList(errors: FieldError[], field: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return void errors.push({ field, message: 'must be an array' });
  if (value.length > allowed.length) errors.push({ field, message: `must have at most ${allowed.length} items` });
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !allowed.includes(item)) errors.push({ field: `${field}[${i}]`, message: `must be one of: ${allowed.join(', ')}` });
  });
}

function checkQuietHours(errors: FieldError[], value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) return void errors.push({ field: 'quietHours', message: 'must be an object with start, end and timezone, or null' });
  for (const part of ['start', 'end'] as const) {
    const v = value[part];
    if (typeof v !== 'string' || !TIME_OF_DAY.test(v)) {
      errors.push({ field: `quietHours.${part}`, message: 'must be a time of day as HH:MM (24-hour clock), e.g. 20:00' });
    }
  }
  if (typeof value.timezone !== 'string' || !isTimeZone(value.timezone)) {
    errors.push({ field: 'quietHours.timezone', message: 'must be an IANA time zone, e.g. Europe/Berlin' });
  }
  if (errors.length === 0 && value.start === value.end) errors.push({ field: 'quietHours.end', message: 'must differ from start' });
}

/** The problems with a raw change, each naming its field; empty when it can be applied. */
export function checkChange(raw: unknown): FieldError[] {
  if (!isObject(raw)) return [{ field: '(root)', message: 'must be an object' }];
  const errors: FieldError[] = [];
  if (raw.unsubscribed !== undefined && typeof raw.unsubscribed !== 'boolean') errors.push({ field: 'unsubscribed', message: 'must be true or false' });
  checkList(errors, 'mutedKinds', raw.mutedKinds, NOTIFICATION_KINDS);
  checkList(errors, 'mutedChannels', raw.mutedChannels, CHANNEL_NAMES);
  const before = errors.length;
  const quiet: FieldError[] = [];
  checkQuietHours(quiet, raw.quietHours);
  errors.push(...quiet);
  if (raw.by !== undefined && (typeof raw.by !== 'string' || raw.by.length < 1 || raw.by.length > 200)) {
    errors.push({ field: 'by', message: 'must be a string of 1 to 200 characters' });
  }
  const changes = ['unsubscribed', 'mutedKinds', 'mutedChannels', 'quietHours'].some((k) => raw[k] !== undefined);
  if (!changes && errors.length === before) {
    errors.push({ field: '(root)', message: 'must change at least one of unsubscribed, mutedKinds, mutedChannels, quietHours' });
  }
  return errors;
}

const sortedUnique = <T extends string>(list: readonly T[]): T[] => [...new Set(list)].sort();

/** The preferences after a change (checked with `checkChange` first). */
export function applyChange(prefs: Preferences, change: PreferencesChange): Preferences {
  return {
    unsubscribed: change.unsubscribed ?? prefs.unsubscribed,
    mutedKinds: sortedUnique(change.mutedKinds ?? prefs.mutedKinds),
    mutedChannels: sortedUnique(change.mutedChannels ?? prefs.mutedChannels),
    quietHours:
      change.quietHours === undefined
        ? prefs.quietHours
        : change.quietHours && { start: change.quietHours.start, end: change.quietHours.end, timezone: change.quietHours.timezone },
  };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The end of the quiet hours `nowMs` falls in, or null outside them. Quiet
 * hours run from `start` (inclusive) to `end` (exclusive) on the recipient's
 * wall clock; `start` after `end` spans midnight.
 */
export function quietHoursEnd(q: QuietHours, nowMs: number): number | null {
  const wall = wallTime(nowMs, q.timezone);
  const midnight = Math.floor(wall.asUtcMs / DAY) * DAY;
  const now = (wall.asUtcMs - midnight) / MINUTE;
  const start = minutes(q.start);
  const end = minutes(q.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const endWall = midnight + end * MINUTE + (start > end && now >= start ? DAY : 0);
  const at = instantOf(endWall, q.timezone);
  // A wall time skipped by a DST change: the first instant after the gap.
  return at > nowMs ? at : nowMs + MINUTE;
}

/** What one message is, as preferences see it. */
export interface DeliveryFacts {
  kind: NotificationKind;
  channel: Channel;
  essential: boolean;
  /** The caller requests it again later (see NotificationRequest.deferrable). */
  deferrable: boolean;
}

export type RecipientDecision =
  | { action: 'send' }
  | { action: 'suppress'; reason: string }
  | { action: 'defer'; untilMs: number };

/**
 * Whether a message reaches a recipient now, later or not at all. A recipient
 * may hold several preference records (a manager by e-mail and by Slack id):
 * any one that turns the message off turns it off, and it waits for the last
 * quiet hours to end. Essential messages always go, at once.
 */
export function decideDelivery(records: readonly Preferences[], facts: DeliveryFacts, nowMs: number): RecipientDecision {
  if (facts.essential) return { action: 'send' };
  for (const p of records) {
    if (p.unsubscribed) return { action: 'suppress', reason: 'unsubscribed' };
    if (p.mutedChannels.includes(facts.channel)) return { action: 'suppress', reason: `${facts.channel === 'email' ? 'e-mail' : 'Slack'} turned off` };
    if (p.mutedKinds.includes(facts.kind)) return { action: 'suppress', reason: `${facts.kind} turned off` };
  }
  if (!facts.deferrable) return { action: 'send' };
  const ends = records.map((p) => (p.quietHours ? quietHoursEnd(p.quietHours, nowMs) : null)).filter((t): t is number => t !== null);
  return ends.length ? { action: 'defer', untilMs: Math.max(...ends) } : { action: 'send' };
}
