/**
 * What is due now and when to wake up next: `advance` applies the time-based
 * transitions and hands out the requests that are due (buffering a digest
 * manager's Slack pings for the daily digest); `nextWakeAt` is the one timer
 * the workflow needs.
 */
import type { NotificationRequest } from '../notifications';
import { nextDigestMoment } from './businessHours';
import { DIGEST_NEWS_DAYS } from './digest';
import { decisionWindowEndMs, respondedAtMs } from './health';
import { progress } from './progress';
import { digestEntry, digestMessage, messageFor } from './messages';
import { address, candidates, occurrenceOf, sendAt, type Candidate } from './requests';
import { bundleReminders } from './bundles';
import { digestPolicy, settleDeferrals, withPolicy } from './deferrals';
import {
  DAY,
  HOUR,
  LIMITS,
  clone,
  currentPhase,
  dueMs,
  isOpen,
  pendingCheckpoint,
  phaseDeadlineMs,
  pushBounded,
  planMilestones,
  type DomainState,
} from './state';

const digests = (s: DomainState) => s.profile.partnerManager.digest === true;

/**
 * Applies every time-based transition due at `nowMs` and returns the
 * notifications now due. Each request is returned once: its key is remembered
 * at once, before any delivery result.
 */
export function advance(state: DomainState, nowMs: number): { state: DomainState; requests: NotificationRequest[] } {
  const s = clone(state);
  progress(s, nowMs);
  const requests: NotificationRequest[] = [];
  const due = candidates(s);
  const issued: Candidate[] = [];
  // Deferred reminders go out again in the bundle they went out in (./bundles.ts); settled below.
  const bundles = new Map((s.deferrals ?? []).flatMap((d) => (d.bundle ? [[d.key, d.bundle] as const] : [])));
  for (const c of due) {
    const at = sendAt(s, c, nowMs);
    if (at === null || at > nowMs) continue;
    pushBounded(s.requested, c.key, LIMITS.requestedKeys);
    const message = messageFor(s, c, nowMs);
    if (!message) continue;
    const entry = c.audience === 'manager' && digests(s) ? digestEntry(c.key, message, c.atMs) : null;
    if (entry) {
      s.digest.items.push(entry);
      // Cross-partner: the manager's one digest reads them from this workflow's memo; nothing to flush here.
      if (!s.digest.crossPartner) s.digest.flushAtMs ??= nextDigestMoment(nowMs, s.playbook.digestHourUtc);
    } else {
      requests.push(withPolicy(address(s, c.key, message, c.audience), c));
      issued.push(c);
    }
  }
  settleDeferrals(s, new Set(due.map((c) => c.key)));
  // The buffer goes out at the digest hour, or at once when onboarding ends (nothing wakes up later).
  if (s.digest.flushAtMs !== null && (s.digest.flushAtMs <= nowMs || s.offboardedAtMs !== null)) requests.push(flushDigest(s, nowMs));
  // Cross-partner news is kept for the digests of the next few days only.
  if (s.digest.crossPartner) {
    s.digest.items = s.digest.items.filter((i) => Date.parse(i.at) > nowMs - DIGEST_NEWS_DAYS * DAY).slice(-LIMITS.outbox);
  }

  // What is still to request: the candidates less those just requested. Nothing else above
  // changes what `candidates` reads, unless the requested keys were trimmed to their bound.
  const requested = new Set(s.requested);
  const left = s.requested.length < LIMITS.requestedKeys ? due.filter((c) => !requested.has(c.key)) : candidates(s);
  // A recorded fact stays in the outbox until every request announcing it went out, and one
  // advance longer for those just issued: a recipient's quiet hours may defer one (./deferrals.ts).
  // (Dropping the facts nothing announces any more changes no candidate.)
  const waiting = new Set([...left, ...issued].map(occurrenceOf));
  s.outbox = s.outbox.filter((o) => waiting.has(o));
  const deliveries = bundleReminders(s, requests, bundles);
  for (const { request: r, members } of deliveries) {
    const to = r.channel === 'email' ? r.to.map((t) => t.email).join(', ') : r.to.label;
    pushBounded(s.pendingDeliveries, { key: r.key, ...(members ? { members } : {}), kind: r.kind, channel: r.channel, to }, LIMITS.pendingDeliveries);
  }
  candidatesOf.set(s, left);
  return { state: s, requests: deliveries.map((d) => d.request) };
}

/**
 * The candidates of each state `advance` returned, as it worked them out: the shell
 * asks `nextWake` about that same state next. The domain never mutates a state it
 * returned, so they stay right; any other state, or the same one asked again, is
 * worked out afresh.
 */
const candidatesOf = new WeakMap<DomainState, readonly Candidate[]>();

/** "Once a day": one Slack message listing the buffered pings. */
function flushDigest(s: DomainState, nowMs: number): NotificationRequest {
  const { items } = s.digest;
  s.digest = { items: [], flushAtMs: null, sent: s.digest.sent + 1 };
  return digestPolicy(s, address(s, `manager_digest:${s.digest.sent}`, digestMessage(s, items, nowMs), 'manager'), items);
}

/** The next moment the workflow must wake up, and why (the timer's summary in the Temporal UI). */
export interface WakeUp {
  at: number;
  why: string;
}

const words = (id: string) => id.replace(/_/g, ' ');

/**
 * The earliest moment after which anything changes: a notification due (after
 * the delivery policy), the digest, a checkpoint or decision window, or a
 * moment health changes (a milestone becoming overdue or at-risk overdue, an
 * SLA mark, a review overdue). Null when finished.
 */
export function nextWake(s: DomainState, nowMs: number): WakeUp | null {
  if (s.offboardedAtMs !== null) return null;
  // Every moment is a candidate; only the earliest one's reason is ever read, so reasons are worded last.
  const actions: Moment[] = [];
  const known = candidatesOf.get(s);
  candidatesOf.delete(s); // read once: a cached workflow does not keep them while it waits
  for (const c of known ?? candidates(s)) {
    const at = sendAt(s, c, nowMs);
    if (at !== null) actions.push({ at, why: () => `send ${words(c.rule.kind)} (${c.audience})` });
  }
  if (s.digest.flushAtMs !== null) actions.push({ at: s.digest.flushAtMs, why: () => 'send the manager digest' });

  const changes: Moment[] = [];
  const phase = currentPhase(s);
  const overdueDays = s.playbook.atRiskOverdueDays;
  const overdueLimit = overdueDays * DAY;
  if (phase) {
    const windowEnd = decisionWindowEndMs(s);
    if (!pendingCheckpoint(s)) actions.push({ at: phaseDeadlineMs(s, phase), why: () => `${phase} checkpoint` });
    else if (s.autoExtensions < s.playbook.checkpointPolicy.maxAutoExtensions) actions.push({ at: windowEnd!, why: () => `${phase} decision window ends: default extension` });
    else changes.push({ at: windowEnd!, why: () => `${phase} decision window ends` });
    for (const m of planMilestones(s)) {
      if (!isOpen(s, m.id)) continue;
      // Overdue strictly after the due moment.
      const due = dueMs(s, m);
      changes.push({ at: due + 1, why: () => `${m.id} overdue` });
      if (m.requiredAtCheckpoint) changes.push({ at: due + overdueLimit + 1, why: () => `${m.id} overdue ${overdueDays} days` });
    }
    const sla = s.playbook.opportunitySla;
    for (const o of s.opportunities) {
      if (o.registeredAtMs === null || respondedAtMs(o) !== null) continue;
      changes.push(
        { at: o.registeredAtMs + sla.responseHours * HOUR, why: () => `${o.opportunityId} response SLA (${sla.responseHours} h)` },
        { at: o.registeredAtMs + sla.escalationHours * HOUR, why: () => `${o.opportunityId} escalation (${sla.escalationHours} h)` },
      );
    }
  } else if (s.reviews.nextDueMs !== null) {
    changes.push({ at: s.reviews.nextDueMs + overdueLimit + 1, why: () => 'business review overdue' });
  }
  const quiet = s.playbook.ongoing?.inactivityDays;
  if (s.phase === 'graduated' && quiet !== undefined) changes.push({ at: s.lastActivityMs + quiet * DAY + 1, why: () => `${quiet} days without activity` });
  // The first earliest: every action, then the changes still ahead.
  let next: Moment | null = null;
  for (const w of actions) if (!next || w.at < next.at) next = w;
  for (const w of changes) if (w.at > nowMs && (!next || w.at < next.at)) next = w;
  return next && { at: next.at, why: next.why() };
}

/** A moment `nextWake` considers, its reason worded only if it is the one. */
interface Moment {
  at: number;
  why: () => string;
}

export function nextWakeAt(s: DomainState, nowMs: number): number | null {
  return nextWake(s, nowMs)?.at ?? null;
}
