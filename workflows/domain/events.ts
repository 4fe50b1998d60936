/**
 * `applyEvent`: one `PartnerEvent` into the state. Never throws: a malformed
 * payload, or a well-formed event that does not fit (unknown opportunity, a
 * gated registration, an event after offboarding, ...), lands in
 * `rejectedEvents` with a reason. A repeated eventId changes nothing.
 */
import { parseEvent, partnerRoles, type PartnerEvent } from '../types';
import { certificationMilestone, completeDerived, completeFromEvent, waive } from './milestones';
import { applyOpportunityEvent } from './opportunities';
import { decide, offboard, progress } from './progress';
import { DAY, LIMITS, addOccurrence, clone, iso, isOpen, milestoneDef, pushBounded, segmentPlan, type DomainState } from './state';

export function applyEvent(state: DomainState, raw: unknown, nowMs: number): DomainState {
  const result = tryEvent(state, raw, nowMs);
  if (result.outcome !== 'refused') return result.state;
  return rejected(result.state, result.eventId, result.type, result.reason, nowMs);
}

/** What one event does: applied, a repeat (nothing changes), or refused with the reason. */
export type EventResult =
  | { outcome: 'applied' | 'duplicate'; state: DomainState }
  /** `state` is the work copy as the refusal left it (a gated registration still announces the gate). */
  | { outcome: 'refused'; state: DomainState; eventId: string; type: string; reason: string };

/**
 * The rules of `applyEvent` without recording a refusal: Update validators run
 * it as a dry run (a refused Update leaves no trace), signals through
 * `applyEvent` record the refusal in `rejectedEvents`.
 */
export function tryEvent(state: DomainState, raw: unknown, nowMs: number): EventResult {
  const parsed = parseEvent(raw);
  if (!parsed.ok) {
    const envelope = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return {
      outcome: 'refused',
      state: clone(state),
      eventId: typeof envelope.eventId === 'string' && envelope.eventId ? envelope.eventId.slice(0, 128) : '(missing)',
      type: typeof envelope.type === 'string' && envelope.type ? envelope.type.slice(0, 64) : '(invalid)',
      reason: `invalid event: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    };
  }
  const event = parsed.value;
  if (state.seenEventIds.includes(event.eventId)) return { outcome: 'duplicate', state };
  const s = clone(state);
  const refuse = (reason: string): EventResult => ({ outcome: 'refused', state: s, eventId: event.eventId, type: event.type, reason });
  if (s.offboardedAtMs !== null) return refuse('the partner was offboarded: onboarding has ended');

  const atMs = eventTime(event, nowMs);
  const reason = apply(s, event, atMs, nowMs);
  if (reason) return refuse(reason);

  // Only applied events count as seen: a rejected one may be sent again once it fits.
  pushBounded(s.seenEventIds, event.eventId, LIMITS.seenEventIds);
  s.lastActivityMs = Math.max(s.lastActivityMs, atMs);
  completeFromEvent(s, event, atMs);
  completeDerived(s, atMs);
  progress(s, nowMs);
  return { outcome: 'applied', state: s };
}

/** When it happened: `occurredAt` unless missing or in the future, else receipt. */
function eventTime(event: PartnerEvent, nowMs: number): number {
  const at = event.occurredAt ? Date.parse(event.occurredAt) : NaN;
  return Number.isFinite(at) && at <= nowMs ? at : nowMs;
}

function rejected(s: DomainState, eventId: string, type: string, reason: string, nowMs: number): DomainState {
  pushBounded(s.rejectedEvents, { eventId, type, reason, at: iso(nowMs) }, LIMITS.rejectedEvents);
  return s;
}

/** The event's own effects besides milestone completion; returns a rejection reason when it does not fit. */
function apply(s: DomainState, event: PartnerEvent, atMs: number, nowMs: number): string | undefined {
  switch (event.type) {
    case 'opportunity_identified':
    case 'opportunity_registered':
    case 'opportunity_acknowledged':
    case 'opportunity_qualified':
    case 'opportunity_disqualified':
    case 'deal_won':
    case 'deal_lost':
      return applyOpportunityEvent(s, event, atMs);
    case 'contacts_designated':
      for (const contact of event.data.contacts) {
        s.contacts = [...s.contacts.filter((c) => c.email !== contact.email), contact];
      }
      return undefined;
    case 'training_completed':
      s.firsts.training = Math.min(s.firsts.training ?? atMs, atMs);
      return undefined;
    case 'customer_engagement_completed':
      s.firsts.engagement = Math.min(s.firsts.engagement ?? atMs, atMs);
      return undefined;
    case 'certification_completed': {
      // "Certification pass rates: target >85% on first attempt": each of the partner's tracks.
      const { track, score, passed } = event.data;
      if (!(partnerRoles(s.profile) as string[]).includes(track)) return undefined;
      if (s.certFirstAttempts[track] === undefined) s.certFirstAttempts[track] = passed;
      if (passed && !s.certified.includes(track)) s.certified.push(track);
      // "Certificate + recognition when complete": the pass that completes the track's certification milestone.
      const certification = certificationMilestone(s, track);
      if (passed && certification && isOpen(s, certification.id)) {
        addOccurrence(s, { trigger: 'certification_passed', id: track, atMs, data: { track, ...(score !== undefined ? { score } : {}) } });
      }
      return undefined;
    }
    case 'survey_completed':
      s.satisfactionScore = event.data.score;
      return undefined;
    case 'business_review_completed': {
      // Recurring reviews (after graduation; monthly all along for strategic partners).
      if (s.reviews.nextDueMs !== null) {
        s.reviews.completed += 1;
        s.reviews.nextDueMs = atMs + segmentPlan(s).reviewCadenceDays * DAY;
      }
      return undefined;
    }
    case 'milestone_waived': {
      const m = milestoneDef(s, event.data.milestoneId);
      if (!m) return `unknown milestone '${event.data.milestoneId}' for ${s.profile.segment} partners`;
      const done = s.completions[m.id];
      if (done) return `milestone '${m.id}' is already ${done.waived ? 'waived' : 'done'}`;
      waive(s, m, atMs, event.data.reason, event.data.by);
      return undefined;
    }
    case 'checkpoint_decision':
      return decide(s, event.data, nowMs);
    case 'offboarded':
      offboard(s, event.data.reason, nowMs);
      return undefined;
    default:
      return undefined;
  }
}
