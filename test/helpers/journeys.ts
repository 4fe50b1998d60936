/**
 * Scripted partner journeys: which event arrives on which day. Used by the
 * workflow tests, the history recorder for replay tests, and the cost benchmark.
 */
import type { PartnerEvent, PartnerProfile, Segment } from '../../workflows/types';

export interface Step {
  day: number;
  events: Omit<PartnerEvent, 'eventId'>[];
}

type E = Omit<PartnerEvent, 'eventId'>;
const ev = <T extends E>(e: T): E => e;

export function profileFor(segment: Segment, partnerId: string, overrides: Partial<PartnerProfile> = {}): PartnerProfile {
  return {
    partnerId,
    name: `${segment[0]!.toUpperCase()}${segment.slice(1)} Partner ${partnerId}`,
    segment,
    role: segment === 'strategic' ? 'strategic' : 'sales',
    timezone: 'UTC',
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA' },
    contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee@partner.example' }],
    ...overrides,
  };
}

/** Core: the seed's 90-day path, each phase finished early (own pace). */
export const CORE_HAPPY_PATH: Step[] = [
  {
    day: 1,
    events: [
      ev({ type: 'kickoff_completed' }),
      ev({ type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } }),
      ev({ type: 'profile_completed' }),
      ev({ type: 'contacts_designated', data: { contacts: [{ role: 'technical', name: 'Kim', email: 'kim@partner.example' }] } }),
      ev({ type: 'agreements_signed', data: { agreements: ['nda', 'data-sharing'] } }),
    ],
  },
  {
    day: 9,
    events: [
      ev({ type: 'training_completed', data: { module: 'business_101' } }),
      ev({ type: 'target_accounts_shared', data: { accounts: ['Globex', 'Initech', 'Umbrella'] } }),
    ],
  },
  { day: 12, events: [ev({ type: 'opportunity_identified', data: { opportunityId: 'opp-1', account: 'Globex' } })] },
  {
    day: 24,
    events: [
      ev({ type: 'training_completed', data: { module: 'product' } }),
      ev({ type: 'assessment_completed', data: { assessment: 'product', score: 88 } }),
      ev({ type: 'demo_shadowed' }),
    ],
  },
  {
    day: 33,
    events: [
      ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-1', account: 'Globex', amount: 40000 } }),
      ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-1', owner: 'ae@vendor.example' } }),
    ],
  },
  {
    day: 38,
    events: [
      ev({ type: 'training_completed', data: { module: 'co_selling' } }),
      ev({ type: 'opportunity_qualified', data: { opportunityId: 'opp-1' } }),
    ],
  },
  { day: 44, events: [ev({ type: 'customer_engagement_completed', data: { opportunityId: 'opp-1', kind: 'meeting' } })] },
  {
    day: 52,
    events: [
      ev({ type: 'certification_completed', data: { track: 'sales', passed: true, score: 91 } }),
      ev({ type: 'practical_completed', data: { kind: 'role play' } }),
    ],
  },
  {
    day: 70,
    events: [
      ev({ type: 'deal_won', data: { opportunityId: 'opp-1', amount: 40000 } }),
      ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-2', account: 'Initech' } }),
      ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-2' } }),
      ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-3', account: 'Umbrella' } }),
      ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-3' } }),
    ],
  },
  {
    day: 78,
    events: [
      ev({ type: 'community_event_attended', data: { event: 'partner webinar' } }),
      ev({ type: 'extended_team_met', data: { team: 'marketing' } }),
      ev({ type: 'survey_completed', data: { score: 9 } }),
    ],
  },
  { day: 86, events: [ev({ type: 'business_review_completed' }), ev({ type: 'joint_business_plan_created' })] },
];

/** Strategic: 120 days, joint business plan from day 1 and an executive sponsor. */
export const STRATEGIC_HAPPY_PATH: Step[] = [
  {
    day: 1,
    events: [
      ...CORE_HAPPY_PATH[0]!.events,
      ev({ type: 'executive_sponsor_assigned', data: { name: 'Pat CxO' } }),
    ],
  },
  { day: 5, events: [ev({ type: 'joint_business_plan_created' }), ev({ type: 'target_accounts_shared' })] },
  { day: 12, events: [ev({ type: 'training_completed', data: { module: 'business_101' } }), ev({ type: 'opportunity_identified', data: { opportunityId: 'opp-1' } })] },
  { day: 35, events: CORE_HAPPY_PATH[3]!.events },
  { day: 45, events: CORE_HAPPY_PATH[4]!.events },
  { day: 52, events: CORE_HAPPY_PATH[5]!.events },
  { day: 60, events: CORE_HAPPY_PATH[6]!.events },
  {
    day: 72,
    events: [
      ev({ type: 'certification_completed', data: { track: 'strategic', passed: true } }),
      ev({ type: 'practical_completed', data: { kind: 'strategic planning session' } }),
    ],
  },
  { day: 95, events: CORE_HAPPY_PATH[8]!.events },
  { day: 105, events: CORE_HAPPY_PATH[9]!.events },
  { day: 115, events: CORE_HAPPY_PATH[10]!.events },
];

/** Transactional: 60 days, digital and self-service, deal registration only. */
export const TRANSACTIONAL_HAPPY_PATH: Step[] = [
  {
    day: 1,
    events: [
      ev({ type: 'portal_access_granted' }),
      ev({ type: 'agreements_signed' }),
    ],
  },
  { day: 6, events: [ev({ type: 'training_completed', data: { module: 'business_101' } })] },
  { day: 22, events: [ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-1', amount: 12000 } }), ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-1' } })] },
  {
    day: 45,
    events: [
      ev({ type: 'opportunity_qualified', data: { opportunityId: 'opp-1' } }),
      ev({ type: 'deal_won', data: { opportunityId: 'opp-1', amount: 12000 } }),
      ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-2' } }),
      ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-2' } }),
      ev({ type: 'opportunity_registered', data: { opportunityId: 'opp-3' } }),
      ev({ type: 'opportunity_acknowledged', data: { opportunityId: 'opp-3' } }),
    ],
  },
];

export const HAPPY_PATHS: Record<Segment, Step[]> = {
  core: CORE_HAPPY_PATH,
  strategic: STRATEGIC_HAPPY_PATH,
  transactional: TRANSACTIONAL_HAPPY_PATH,
};

/** Gives every event of a journey a stable, unique eventId. */
/**
 * The steps with event ids. With `partnerId`, the accounts its opportunities name
 * are its own (`Globex` -> `Globex acme-1`): partners sharing a Temporal server in
 * a test would otherwise register the same accounts, which the account registry
 * rightly reports as channel conflicts.
 */
export function withIds(steps: Step[], prefix = 'evt', partnerId?: string): { day: number; events: PartnerEvent[] }[] {
  const own = (e: E): E => {
    const data = e.data as { account?: string } | undefined;
    return partnerId && data?.account && e.type.startsWith('opportunity_') ? ({ ...e, data: { ...data, account: `${data.account} ${partnerId}` } } as E) : e;
  };
  return steps.map((s, i) => ({
    day: s.day,
    events: s.events.map((e, j) => ({ ...own(e), eventId: `${prefix}-${i}-${j}` }) as PartnerEvent),
  }));
}
