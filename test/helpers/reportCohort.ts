/**
 * A cohort of eight transactional partners with known timings, and the report
 * computed from it by hand. The unit test runs it through the pure domain, the
 * e2e test through real workflows on the dev server; both expect these numbers.
 *
 * Transactional plan: foundation portal_access (due day 2), agreements_signed (7),
 * business_101_training (9); activation first_opportunity_registered (30);
 * momentum first_deal_or_pipeline (53), additional_opportunities (60: 3
 * registrations); phases end on days 20, 40, 60. All events reach the workflow
 * at once, "now": a partner whose contract is older than its foundation
 * deadline with foundation gaps at its first event gets the two default 14-day
 * extensions, which move the later phases' due dates by 28 days (activation
 * 58, momentum 81 and 88, plan 88 days) and exhausts them: at risk when stuck.
 */
import type { OnboardingReport } from '../../client/apiTypes';
import type { EventType, PartnerEvent, PartnerProfile } from '../../workflows/types';

export const DAY_MS = 86_400_000;

export interface CohortEvent {
  /** Days after the contract (fractions allowed). */
  at: number;
  type: EventType;
  data?: Record<string, unknown>;
}

export interface CohortPartner {
  key: string;
  /** The contract was signed this many days before "now". */
  daysAgo: number;
  events: CohortEvent[];
}

const e = (at: number, type: EventType, data?: Record<string, unknown>): CohortEvent => ({ at, type, ...(data ? { data } : {}) });
const portal = (hours: number) => e(hours / 24, 'portal_access_granted');
const training = (at: number) => e(at, 'training_completed', { module: 'business_101' });
const register = (at: number, opportunityId: string) => e(at, 'opportunity_registered', { opportunityId });
const won = (at: number, opportunityId: string) => e(at, 'deal_won', { opportunityId, amount: 10_000 });
const cert = (at: number, passed: boolean) => e(at, 'certification_completed', { track: 'sales', passed });
const survey = (at: number, score: number) => e(at, 'survey_completed', { score });
const engagement = (at: number) => e(at, 'customer_engagement_completed', { kind: 'meeting' });

export const COHORT: CohortPartner[] = [
  {
    key: 'p1', // fast, graduates; nothing late
    daysAgo: 130,
    events: [portal(20), e(3, 'agreements_signed'), training(5), register(20, 'opp-1'), engagement(25), cert(30, true),
      won(40, 'opp-1'), register(45, 'opp-2'), register(46, 'opp-3'), survey(50, 9)],
  },
  {
    key: 'p2', // slow, graduates; every milestone late
    daysAgo: 150,
    events: [portal(96), e(10, 'agreements_signed'), training(16), cert(40, false), cert(45, true), register(60, 'opp-1'),
      e(65, 'opportunity_qualified', { opportunityId: 'opp-1' }), engagement(70), won(100, 'opp-1'), register(101, 'opp-2'),
      register(102, 'opp-3'), survey(103, 7)],
  },
  { key: 'p3', daysAgo: 100, events: [portal(30), e(2, 'agreements_signed')] }, // stuck before training
  { key: 'p4', daysAgo: 100, events: [portal(10), e(2, 'agreements_signed'), training(6)] }, // stuck before registering
  { key: 'p5', daysAgo: 100, events: [portal(72), e(99, 'offboarded', { reason: 'no fit' })] }, // left
  { key: 'p6', daysAgo: 10, events: [portal(12), e(2, 'agreements_signed'), training(8)] }, // young, on track
  {
    key: 'p7', // a year in, three registrations, no deal: stuck in momentum
    daysAgo: 400,
    events: [portal(40), e(2, 'agreements_signed'), training(10), cert(20, true), register(29, 'opp-1'), register(31, 'opp-2'),
      register(32, 'opp-3'), engagement(35), e(60, 'deal_lost', { opportunityId: 'opp-1' }), survey(70, 6)],
  },
  {
    key: 'p8', // first deal after a year; graduates
    daysAgo: 420,
    events: [portal(5), e(1, 'agreements_signed'), training(3), register(300, 'opp-1'), won(380, 'opp-1'), register(381, 'opp-2'),
      register(382, 'opp-3')],
  },
];

export function cohortProfile(partner: CohortPartner, partnerId: string, managerEmail: string, nowMs: number): PartnerProfile {
  return {
    partnerId,
    name: `Cohort ${partner.key}`,
    segment: 'transactional',
    role: 'sales',
    contractSignedAt: new Date(nowMs - partner.daysAgo * DAY_MS).toISOString(),
    partnerManager: { name: 'Cohort Manager', email: managerEmail },
  };
}

export function cohortEvents(partner: CohortPartner, nowMs: number): PartnerEvent[] {
  const contract = nowMs - partner.daysAgo * DAY_MS;
  return partner.events.map(
    (ev, i) =>
      ({
        eventId: `${partner.key}-${i}`,
        type: ev.type,
        occurredAt: new Date(contract + Math.round(ev.at * DAY_MS)).toISOString(),
        ...(ev.data ? { data: ev.data } : {}),
      }) as PartnerEvent,
  );
}

/** The report of the whole cohort, by hand (quantiles interpolate between closest ranks). */
export const EXPECTED = {
  partners: 8,
  byPhase: { foundation: 1, activation: 2, momentum: 1, graduated: 3, offboarded: 1 }, // p3 | p4 p6 | p7 | p1 p2 p8 | p5
  byHealth: { on_track: 5, behind: 0, at_risk: 3 }, // at risk: p3 p4 p7 (extensions exhausted)
  leading: {
    // hours: 5 10 12 20 30 40 72 96; median (20+30)/2 = 25; p90 at rank 6.3: 72 + 0.3*(96-72) = 79.2; < 48: 6 of 8
    timeToPortalAccessHours: { value: 25, p90: 79.2, shareMeetingTarget: 0.75, n: 8, met: true, target: { op: '<', value: 48 } },
    // days: 3 5 6 8 10 16; median (6+8)/2 = 7; p90 at 4.5: 10 + 0.5*6 = 13; < 14: 5 of 6 + 2 past 14 days without (p3 p5) = 5/8
    timeToFirstTrainingDays: { value: 7, p90: 13, shareMeetingTarget: 0.625, n: 6, met: true, target: { op: '<', value: 14 } },
    // days: 20 29 60 300; median 44.5; p90 at 2.7: 60 + 0.7*240 = 228; < 45: 2 of 4 + 3 past without (p3 p4 p5) = 2/7
    timeToFirstRegistrationDays: { value: 44.5, p90: 228, shareMeetingTarget: 0.286, n: 4, met: true, target: { op: '<', value: 45 } },
    // days: 25 35 70; median 35; p90 at 1.8: 35 + 0.8*35 = 63; < 60: 2 of 3 + 4 past without (p3 p4 p5 p8) = 2/7
    timeToFirstEngagementDays: { value: 35, p90: 63, shareMeetingTarget: 0.286, n: 3, met: true, target: { op: '<', value: 60 } },
  },
  lagging: {
    // ended: graduated p1 p2 p8, offboarded p5, plan (88 days) over p3 p4 p7 = 7; 3/7 = 0.429 (p6 is on day 10 of 60)
    completionRate: { value: 0.429, n: 7, met: false, target: { op: '>', value: 0.8 } },
    // a year in or transacting: p1 (deal day 40) p2 (100) p7 (400 days, none) p8 (deal day 380 > 365); within a year: p1 p2 = 2/4
    activationRate: { value: 0.5, n: 4, met: false, target: { op: '>', value: 0.6 } },
    // first deal days 40 100 380: median 100
    timeToFirstDealDays: { value: 100, n: 3, met: true, target: { op: '<', value: 120 } },
    // (9 + 7 + 6) / 3 = 7.33
    satisfaction: { value: 7.3, n: 3, met: false, target: { op: '>', value: 8 } },
  },
  quality: {
    // first attempts: p1 passed, p2 failed, p7 passed: 2/3
    certificationFirstAttemptPassRate: { value: 0.667, n: 3, met: false, target: { op: '>', value: 0.85 } },
    // registered 3 + 3 + 3 + 3 (p1 p2 p7 p8) = 12; qualified (won included) p1 p2 p8 = 3: 3/12
    opportunityQualificationRate: { value: 0.25, n: 12, met: false, target: { op: '>', value: 0.4 } },
    // won after (40-20) + (100-60) + (380-300) = 140 days over 3 deals = 46.7; no direct-deal benchmark configured
    dealCycleDays: { value: 46.7, n: 3, met: null, target: null },
  },
  funnel: [
    {
      phase: 'foundation',
      current: 1,
      stalls: [
        { milestoneId: 'business_101_training', partners: 4 }, // p2 (day 16), p3 p5 (open), p7 (day 10): due day 9
        { milestoneId: 'agreements_signed', partners: 2 }, // p2 (day 10), p5 (open): due day 7
        { milestoneId: 'portal_access', partners: 2 }, // p2 (96 h), p5 (72 h): due day 2
      ],
    },
    // p2 (day 60) p8 (day 300) after day 58; p3 p4 p5 open
    { phase: 'activation', current: 2, stalls: [{ milestoneId: 'first_opportunity_registered', partners: 5 }] },
    {
      phase: 'momentum',
      current: 1,
      stalls: [
        { milestoneId: 'first_deal_or_pipeline', partners: 6 }, // p2 (day 100) p8 (380) after day 81; p3 p4 p5 p7 open
        { milestoneId: 'additional_opportunities', partners: 5 }, // p2 (day 102) p8 (382) after day 88; p3 p4 p5 open
      ],
    },
  ],
  topBottleneck: { phase: 'momentum', milestoneId: 'first_deal_or_pipeline', partners: 6 },
  atRisk: ['p3', 'p4', 'p7'],
} as const;

/** The parts of a report the cohort's hand-computed figures cover. */
export function expectCohortReport(report: OnboardingReport, partnerId: (key: string) => string): void {
  expect(report).toMatchObject({
    partners: EXPECTED.partners,
    byPhase: EXPECTED.byPhase,
    byHealth: EXPECTED.byHealth,
    leading: EXPECTED.leading,
    lagging: EXPECTED.lagging,
    quality: EXPECTED.quality,
    topBottleneck: EXPECTED.topBottleneck,
  });
  // Titles come from the caller's playbook (AggregateOptions.titleOf); the ids and counts are the cohort's.
  expect(report.funnel.map((f) => ({ ...f, stalls: f.stalls.map(({ milestoneId, partners }) => ({ milestoneId, partners })) }))).toEqual(EXPECTED.funnel);
  expect(report.atRisk).toEqual({
    total: EXPECTED.atRisk.length,
    partners: EXPECTED.atRisk.map((key) => expect.objectContaining({ partnerId: partnerId(key), name: `Cohort ${key}` })),
  });
}

/** Whether a report already shows the cohort's figures: what a poll waits for before the assertions above run. */
export function matchesCohortReport(report: OnboardingReport, partnerId: (key: string) => string): boolean {
  try {
    expectCohortReport(report, partnerId);
    return true;
  } catch {
    return false;
  }
}
