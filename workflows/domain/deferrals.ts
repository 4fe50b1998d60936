/**
 * Preferences as the domain sees them: which requests are essential and which
 * may be deferred, and what a deferral does. The activity decides per
 * recipient at send time (workflows/preferencePolicy.ts); here the workflow
 * records its answer:
 *
 * - `suppressed`: recorded, never requested again;
 * - `deferred` (or `sent` to some recipients while others wait): the request's
 *   key is taken back from `requested` and remembered with its `retryAt`. The
 *   rule instance then comes due again at that moment, if it still applies (a
 *   reminder for a milestone done in the meantime is not sent). The same key
 *   goes out, so recipients who already got it are skipped by the activity:
 *   nothing is sent twice.
 */
import { isEssentialRule, type DigestEntry, type NotificationRequest } from '../notifications';
import type { Candidate } from './requests';
import { notificationRules, pushBounded, type DomainState } from './state';

export interface Deferral {
  key: string;
  /** When the request may go out again (the end of the recipient's quiet hours). */
  untilMs: number;
  /** The bundle this rule instance went out in (./bundles.ts): requested again under the bundle's key. */
  bundle?: string;
}

/** The shortest deferral (quiet hours end on a minute; clocks may disagree by a little). */
export const MIN_DEFERRAL_MS = 60_000;

/** At most this many deferred requests are remembered (oldest dropped first). */
export const MAX_DEFERRALS = 200;

export function deferredUntil(s: DomainState, key: string): number | undefined {
  return s.deferrals?.find((d) => d.key === key)?.untilMs;
}

/**
 * Takes `key` back from the requested keys, to be requested again at `untilMs` (mutates `s`, a copy);
 * `bundle`: the key of the bundle it went out in, which it goes out in again.
 */
export function deferRequest(s: DomainState, key: string, untilMs: number, bundle?: string): void {
  s.requested = s.requested.filter((k) => k !== key);
  const deferrals = (s.deferrals ?? []).filter((d) => d.key !== key);
  pushBounded(deferrals, { key, untilMs, ...(bundle ? { bundle } : {}) }, MAX_DEFERRALS);
  s.deferrals = deferrals;
}

/** Forgets deferrals that were requested again, or whose rule instance no longer applies (mutates `s`). */
export function settleDeferrals(s: DomainState, stillCandidates: ReadonlySet<string>): void {
  if (!s.deferrals?.length) return;
  const requested = new Set(s.requested);
  s.deferrals = s.deferrals.filter((d) => stillCandidates.has(d.key) && !requested.has(d.key));
}

/** A rule instance's request, with its policy: essential per the playbook, and deferrable (it can be requested again). */
export function withPolicy(request: NotificationRequest, c: Candidate): NotificationRequest {
  const essential = isEssentialRule(request.kind, request.kind === c.rule.kind ? c.rule.essential : undefined);
  return { ...request, ...(essential ? { essential } : {}), deferrable: true };
}

/** A digest is essential when any of its pings is (it is never deferred: it is no rule instance). */
export function digestPolicy(s: DomainState, request: NotificationRequest, items: DigestEntry[]): NotificationRequest {
  const essential = items.some((item) => isEssentialItem(s, item));
  return essential ? { ...request, essential } : request;
}

/** Whether a buffered ping is essential: its rule's flag in the partner's playbook, else its kind's default. */
export function isEssentialItem(s: DomainState, item: Pick<DigestEntry, 'key' | 'kind'>): boolean {
  const rule = notificationRules(s).find((r) => r.id === item.key.split(':')[0]);
  return isEssentialRule(item.kind, rule?.kind === item.kind ? rule.essential : undefined);
}
