/**
 * Scripted journeys for a playbook and a segment, derived from the playbook
 * itself, so a custom playbook previews with its own milestones:
 *
 * - `happy`: the partner completes every milestone four days before it is due,
 *   with the event the playbook names for it; registrations are acknowledged
 *   within hours; the first deal is won.
 * - `stalled`: the first week happens, then training stalls: the partner tries to
 *   register an opportunity before the gating training (refused), finishes that
 *   training late, registers an opportunity nobody answers for days, registers an
 *   account our direct team owns (refused as a channel conflict), loses a deal,
 *   and never finishes the rest: the checkpoint is missed, extended by default,
 *   and the partner ends at risk.
 */
import type { AccountEvent } from '../../workflows/accounts/schema';
import type { CompletionRule, Playbook } from '../../workflows/playbook';
import { partnerRoles, primaryRole, type EventType, type PartnerEvent, type PartnerProfile, type Role, type Segment } from '../../workflows/types';

export type JourneyKind = 'happy' | 'stalled';
export const JOURNEY_KINDS: readonly JourneyKind[] = ['happy', 'stalled'];

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** One event, `hours` after the contract signature. */
export interface ScriptedEvent {
  hours: number;
  event: PartnerEvent;
}

export interface Journey {
  segment: Segment;
  kind: JourneyKind;
  profile: PartnerProfile;
  events: ScriptedEvent[];
  /** Days after the contract to run until. */
  days: number;
  /** What the CRM said about accounts before the contract: the direct team's ownership. */
  accountEvents: AccountEvent[];
}

export interface JourneyOptions {
  /** The contract signature (default: Monday 2026-12-07 09:00 UTC). */
  contractSignedAt?: string;
  /** Default: `northwind-<segment>`. */
  partnerId?: string;
  role?: Role;
  /** Several roles, the primary first (instead of `role`). */
  roles?: Role[];
  timezone?: string;
}

export const DEFAULT_CONTRACT_SIGNED_AT = '2026-12-07T09:00:00Z';

/** Valid data for each event type, so a generated event passes the contract's validation. */
function sampleData(type: EventType, opportunityId: string): Record<string, unknown> | undefined {
  switch (type) {
    case 'contacts_designated':
      return { contacts: [{ role: 'technical', name: 'Kim Okafor', email: 'kim.okafor@northwind.example' }] };
    case 'agreements_signed':
      return { agreements: ['confidentiality', 'data sharing'] };
    case 'portal_access_granted':
      return { systems: ['portal', 'training', 'deal_registration'] };
    case 'training_completed':
      return { module: 'training' };
    case 'assessment_completed':
      return { assessment: 'product', score: 88 };
    case 'executive_sponsor_assigned':
      return { name: 'Pat Morgan' };
    case 'target_accounts_shared':
      return { accounts: ['Globex', 'Initech', 'Umbrella'] };
    case 'opportunity_identified':
    case 'opportunity_registered':
    case 'opportunity_acknowledged':
    case 'opportunity_qualified':
      return { opportunityId, account: ACCOUNTS[opportunityId] ?? opportunityId, amount: 40_000 };
    case 'customer_engagement_completed':
      return { opportunityId, kind: 'meeting' };
    case 'certification_completed':
      return { track: 'sales', passed: true, score: 91 };
    case 'practical_completed':
      return { kind: 'role play' };
    case 'deal_won':
      return { opportunityId, amount: 40_000 };
    case 'deal_lost':
      return { opportunityId, reason: 'budget moved to next year' };
    case 'community_event_attended':
      return { event: 'Monthly partner webinar' };
    case 'extended_team_met':
      return { team: 'marketing' };
    case 'survey_completed':
      return { score: 9, comment: 'Clear steps, fast answers.' };
    default:
      return undefined; // no data, or managers' events (never scripted)
  }
}

/** The seed's practical of each track. */
const PRACTICALS: Record<Role, string> = { sales: 'role play', technical: 'technical deep dive', strategic: 'strategic planning session' };

const ACCOUNTS: Record<string, string> = { 'opp-1': 'Globex', 'opp-2': 'Initech', 'opp-3': 'Umbrella', 'opp-4': 'Soylent', 'opp-5': 'Hooli' };

/** The events that complete a milestone by its rule (none for the ones the system completes). */
function completing(rule: CompletionRule, role: Role, playbook: Playbook, registered: number): Omit<PartnerEvent, 'eventId'>[] {
  const ev = (type: EventType, data?: Record<string, unknown>) => ({ type, ...(data ? { data } : {}) }) as Omit<PartnerEvent, 'eventId'>;
  switch (rule.kind) {
    case 'event': {
      const type = rule.events[0]!;
      const sample = sampleData(type, 'opp-1');
      return [ev(type, rule.match || sample ? { ...sample, ...rule.match } : undefined)];
    }
    case 'assessment_passed':
      return [ev('assessment_completed', { assessment: rule.assessment, score: Math.max(playbook.passMark, 88) })];
    case 'certification_passed':
      return [ev('certification_completed', { track: rule.track ?? role, passed: true, score: 91 })];
    case 'practical_done':
      return [ev('practical_completed', { kind: PRACTICALS[rule.track ?? role], ...(rule.track ? { track: rule.track } : {}) })];
    case 'registrations': {
      const out: Omit<PartnerEvent, 'eventId'>[] = [];
      for (let n = registered + 1; n <= rule.count; n++) {
        out.push(ev('opportunity_registered', sampleData('opportunity_registered', `opp-${n}`)));
        out.push(ev('opportunity_acknowledged', { opportunityId: `opp-${n}`, owner: 'Sam Rivera' }));
      }
      return out;
    }
    case 'deal_or_pipeline':
      return [ev('deal_won', sampleData('deal_won', 'opp-1'))];
    case 'notification_delivered':
      return [];
  }
}

function withIds(events: { hours: number; event: Omit<PartnerEvent, 'eventId'> }[], prefix: string): ScriptedEvent[] {
  return events
    .sort((a, b) => a.hours - b.hours)
    .map((e, i) => ({ hours: e.hours, event: { ...e.event, eventId: `${prefix}-${i + 1}` } as PartnerEvent }));
}

export function journeyProfile(segment: Segment, options: JourneyOptions = {}): PartnerProfile {
  return {
    partnerId: options.partnerId ?? `northwind-${segment}`,
    name: 'Northwind Systems',
    segment,
    ...(options.roles ? { roles: options.roles } : { role: options.role ?? (segment === 'strategic' ? 'strategic' : 'sales') }),
    contractSignedAt: options.contractSignedAt ?? DEFAULT_CONTRACT_SIGNED_AT,
    timezone: options.timezone ?? 'Europe/Berlin',
    partnerManager: { name: 'Dana Ruiz', email: 'dana.ruiz@vendor.example', slackUserId: 'U0DANA' },
    contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee.park@northwind.example' }],
  };
}

/** Every milestone done two days before it is due, at 10:00 in the partner's first business hours. */
function happy(playbook: Playbook, profile: PartnerProfile): { hours: number; event: Omit<PartnerEvent, 'eventId'> }[] {
  const plan = playbook.segments[profile.segment];
  const events: { hours: number; event: Omit<PartnerEvent, 'eventId'> }[] = [];
  let registered = 0;
  const roles = partnerRoles(profile);
  const sorted = plan.milestones
    .filter((m) => !m.forAdditionalRole || roles.slice(1).includes(m.forAdditionalRole))
    .sort((a, b) => a.dueDay - b.dueDay);
  for (const m of sorted) {
    const day = Math.max(1, m.dueDay - 4);
    const batch = completing(m.completion, roles[0]!, playbook, registered);
    batch.forEach((event, i) => events.push({ hours: day * 24 + 1 + i, event }));
    registered += batch.filter((e) => e.type === 'opportunity_registered').length;
  }
  // "Monthly business reviews" during onboarding (strategic): each held a day before it is due, until the
  // momentum phase, whose review closes onboarding.
  if (plan.reviewsDuringOnboarding) {
    const momentumStarts = plan.phaseDays.foundation + plan.phaseDays.activation;
    for (let day = plan.reviewCadenceDays - 1; day < momentumStarts - 4; day += plan.reviewCadenceDays - 1) {
      events.push({ hours: day * 24 + 3, event: { type: 'business_review_completed' } as Omit<PartnerEvent, 'eventId'> });
    }
  }
  // The first deal needs a registered opportunity: make sure opp-1 is registered before it is won.
  const won = events.find((e) => e.event.type === 'deal_won');
  const firstRegistration = events.find((e) => e.event.type === 'opportunity_registered');
  if (won && !firstRegistration) {
    events.push({ hours: won.hours - 2, event: { type: 'opportunity_registered', data: sampleData('opportunity_registered', 'opp-1') } as Omit<PartnerEvent, 'eventId'> });
    events.push({ hours: won.hours - 1, event: { type: 'opportunity_acknowledged', data: { opportunityId: 'opp-1' } } as Omit<PartnerEvent, 'eventId'> });
  }
  return events;
}

/** Trainings never finished, a gated registration, an unanswered one, a lost deal. */
function stalled(playbook: Playbook, profile: PartnerProfile): { hours: number; event: Omit<PartnerEvent, 'eventId'> }[] {
  const plan = playbook.segments[profile.segment];
  const trainingIds = new Set(
    plan.milestones
      .filter((m) => m.completion.kind === 'event' && m.completion.events.includes('training_completed'))
      .map((m) => m.id),
  );
  const gates = playbook.gates.filter((g) => g.event === 'opportunity_registered').flatMap((g) => g.requires);
  const firstWeek = plan.milestones.filter((m) => m.dueDay <= 7 && !trainingIds.has(m.id));
  const events: { hours: number; event: Omit<PartnerEvent, 'eventId'> }[] = [];
  const role = primaryRole(profile);
  for (const m of firstWeek) for (const event of completing(m.completion, role, playbook, 0)) events.push({ hours: 24 + 2 * events.length, event });
  const reg = (n: number) => ({ type: 'opportunity_registered', data: sampleData('opportunity_registered', `opp-${n}`) }) as Omit<PartnerEvent, 'eventId'>;
  // Day 10: a registration before the gating training is refused.
  if (gates.length) events.push({ hours: 10 * 24 + 2, event: reg(1) });
  // Day 20: the gating training, late; day 21: the registration again, and nobody answers for three days.
  const gating = plan.milestones.filter((m) => gates.includes(m.id));
  for (const m of gating) for (const event of completing(m.completion, role, playbook, 0)) events.push({ hours: 20 * 24 + 2, event });
  events.push({ hours: 21 * 24 + 2, event: reg(1) });
  events.push({ hours: 24 * 24 + 5, event: { type: 'opportunity_acknowledged', data: { opportunityId: 'opp-1', owner: 'Sam Rivera' } } as Omit<PartnerEvent, 'eventId'> });
  // Day 28: an account our direct team owns (STALLED_ACCOUNT_EVENTS): refused as a channel conflict.
  events.push({ hours: 28 * 24 + 2, event: { type: 'opportunity_registered', data: { ...sampleData('opportunity_registered', 'opp-2'), domain: 'initech.example' } } as Omit<PartnerEvent, 'eventId'> });
  // Day 40: the deal is lost before any win.
  events.push({ hours: 40 * 24 + 3, event: { type: 'deal_lost', data: sampleData('deal_lost', 'opp-1') } as Omit<PartnerEvent, 'eventId'> });
  return events;
}

/** The stalled journey's CRM: the direct team owns Initech. */
const STALLED_ACCOUNT_EVENTS: AccountEvent[] = [
  {
    eventId: 'crm-initech-owner',
    type: 'direct_ownership_claimed',
    occurredAt: '2026-10-01T08:00:00Z',
    data: { account: 'Initech', domain: 'initech.example', owner: 'Jordan Lee, enterprise sales', crmId: 'ACC-1042' },
  },
];

/** The scripted journey of `kind` for a segment of `playbook`. */
export function scriptJourney(playbook: Playbook, segment: Segment, kind: JourneyKind, options: JourneyOptions = {}): Journey {
  const profile = journeyProfile(segment, options);
  const plan = playbook.segments[segment];
  const planDays = plan.phaseDays.foundation + plan.phaseDays.activation + plan.phaseDays.momentum;
  const raw = kind === 'happy' ? happy(playbook, profile) : stalled(playbook, profile);
  // Happy: a little past graduation; stalled: long enough for the extensions to run out.
  const extensionDays = playbook.checkpointPolicy.defaultExtensionDays * playbook.checkpointPolicy.maxAutoExtensions;
  const days = kind === 'happy' ? planDays + 7 : plan.phaseDays.foundation + extensionDays + playbook.atRiskOverdueDays + 7;
  const accountEvents = kind === 'stalled' ? STALLED_ACCOUNT_EVENTS : [];
  return { segment, kind, profile, events: withIds(raw, `${segment}-${kind}`), days, accountEvents };
}
