/**
 * Each segment's happy path, driven purely by events and time, to graduation.
 */
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }];
const sentAtDay = (sim: Sim) => sim.sent.map((s) => [Math.round(((s.at - T0) / DAY) * 10) / 10, s.request.key]);

describe('core partner: the 90-day framework', () => {
  const sim = new Sim(profile({ segment: 'core', role: 'sales' }));
  sim.day(1).event('kickoff_completed').event('portal_access_granted').event('agreements_signed').event('profile_completed');
  sim.day(3).event('contacts_designated', { contacts });
  sim.day(10).event('training_completed', { module: 'business_101' }).event('opportunity_identified', { opportunityId: 'opp-1' });
  sim.day(11).event('target_accounts_shared', { accounts: ['Globex', 'Initech'] });
  const foundation = sim.day(20).view().phase;
  sim.event('training_completed', { module: 'product' }).event('assessment_completed', { assessment: 'product', score: 84 }).event('demo_shadowed');
  const afterFoundation = sim.view().phase;
  sim.day(38).event('training_completed', { module: 'co_selling' });
  sim.day(40).event('opportunity_registered', { opportunityId: 'opp-1', amount: 30_000 });
  sim.day(40.5).event('opportunity_acknowledged', { opportunityId: 'opp-1', owner: 'ae@vendor.example' });
  sim.day(45).event('opportunity_qualified', { opportunityId: 'opp-1' });
  sim.day(50).event('certification_completed', { track: 'sales', passed: true, score: 91 });
  sim.event('practical_completed', { kind: 'role play' }).event('customer_engagement_completed', { opportunityId: 'opp-1', kind: 'meeting' });
  const afterActivation = sim.view().phase;
  sim.day(65).event('opportunity_registered', { opportunityId: 'opp-2' }).event('opportunity_acknowledged', { opportunityId: 'opp-2' });
  sim.day(66).event('opportunity_registered', { opportunityId: 'opp-3' }).event('opportunity_acknowledged', { opportunityId: 'opp-3' });
  sim.day(75).event('deal_won', { opportunityId: 'opp-1', amount: 50_000 });
  sim.day(78).event('community_event_attended', { event: 'monthly partner webinar' });
  sim.day(86).event('extended_team_met', { team: 'marketing' });
  sim.day(88).event('survey_completed', { score: 9 }).event('business_review_completed');
  const beforePlan = sim.view().phase;
  sim.event('joint_business_plan_created');
  const graduated = sim.view();

  it('moves through the phases at its own pace, each checkpoint passed', () => {
    expect([foundation, afterFoundation, afterActivation, beforePlan, graduated.phase]).toEqual([
      'foundation',
      'activation',
      'momentum',
      'momentum',
      'graduated',
    ]);
    expect(graduated.checkpoints).toEqual([
      { phase: 'foundation', dueAt: iso(T0 + 30 * DAY), outcome: 'passed', gaps: [], decidedAt: iso(T0 + 20 * DAY) },
      { phase: 'activation', dueAt: iso(T0 + 60 * DAY), outcome: 'passed', gaps: [], decidedAt: iso(T0 + 50 * DAY) },
      { phase: 'momentum', dueAt: iso(T0 + 90 * DAY), outcome: 'passed', gaps: [], decidedAt: iso(T0 + 88 * DAY) },
    ]);
    expect(graduated.graduatedAt).toBe(iso(T0 + 88 * DAY));
    expect(graduated.nextReviewAt).toBe(iso(T0 + 178 * DAY));
    expect(graduated.health).toBe('on_track');
    expect(graduated.phaseDeadline).toBeNull();
  });

  it('completes every milestone, the welcome e-mail by its delivery', () => {
    expect(graduated.milestones.filter((m) => m.status !== 'done').map((m) => m.id)).toEqual([]);
    expect(graduated.milestones.find((m) => m.id === 'welcome_email')?.completedAt).toBe(iso(T0));
    expect(graduated.milestones.find((m) => m.id === 'additional_opportunities')?.completedAt).toBe(iso(T0 + 66 * DAY));
  });

  it('sends exactly the nudges the situation calls for, at the right moments', () => {
    expect(sentAtDay(sim)).toEqual([
      // "Your activities": portal access is ours to grant within 48 hours
      [0, 'vendor_milestone_due:portal_access:d2:manager'],
      [0, 'welcome:partner'],
      [12, 'week2_checkin:manager'],
      [20, 'phase_advanced:activation:partner'],
      // the first registration: "assign your best resources"
      [40, 'first_deal_support:manager'],
      [50, 'certification_recognition:sales:manager'],
      // day 50 is a Saturday: partner e-mails wait for business hours on Monday
      [52, 'certification_recognition:sales:partner'],
      [52, 'phase_advanced:momentum:partner'],
      [75, 'first_deal_celebration:manager'],
      [75, 'first_deal_celebration:partner'],
      [80, 'business_review_scheduled:business_review_90_day:d90:manager'],
      [80, 'business_review_scheduled:business_review_90_day:d90:partner'],
      // day 85 is a Saturday: the survey request waits for Monday 09:00
      [87, 'survey_request:momentum:d90:partner'],
      [88, 'vendor_milestone_due:next_quarter_plan:d90:manager'],
      [88, 'graduated:manager'],
      [88, 'graduated:partner'],
      // "Invite to relevant community channels"
      [88, 'graduated_community:partner'],
    ]);
    expect(graduated.notifications.map((n) => [n.kind, n.channel, n.to, n.status]).slice(0, 3)).toEqual([
      ['vendor_milestone_due', 'slack', 'dana@vendor.example', 'sent'],
      ['welcome', 'email', 'lee@acme.example', 'sent'],
      ['week2_checkin', 'slack', 'dana@vendor.example', 'sent'],
    ]);
  });

  it('measures the velocity indicators', () => {
    expect(graduated.indicators).toEqual({
      certificationFirstAttempts: { sales: true },
      timeToPortalAccessHours: 24,
      timeToFirstTrainingDays: 10,
      timeToFirstRegistrationDays: 40,
      timeToFirstEngagementDays: 50,
      timeToFirstDealDays: 75,
      certificationFirstAttemptPassed: true,
      satisfactionScore: 9,
    });
  });

  it('moves on to ongoing success management: a quarterly review reminder', () => {
    sim.day(178);
    expect(sim.keys().at(-1)).toBe('recurring_review_reminder:c1:manager');
    expect(sim.sent.at(-1)?.at).toBe(T0 + 178 * DAY);
  });
});

describe('strategic partner: 120 days, joint plan from day 1, monthly reviews', () => {
  const sim = new Sim(profile({ segment: 'strategic', role: 'strategic' }));
  sim.day(1).event('kickoff_completed').event('portal_access_granted').event('contacts_designated', { contacts });
  sim.day(10).event('joint_business_plan_created');
  const afterFirstPlan = sim.view();
  sim.day(15).event('executive_sponsor_assigned', { name: 'CRO' }).event('training_completed', { module: 'business_101' });
  sim.event('opportunity_identified', { opportunityId: 'opp-1' });
  sim.day(31).event('business_review_completed');
  const afterFirstReview = sim.view();
  sim.day(35).event('training_completed', { module: 'product' }).event('assessment_completed', { assessment: 'product', score: 80 });
  const afterFoundation = sim.view().phase;
  sim.day(50).event('training_completed', { module: 'co_selling' }).event('opportunity_registered', { opportunityId: 'opp-1', amount: 20_000 });
  sim.event('opportunity_acknowledged', { opportunityId: 'opp-1' }).event('opportunity_qualified', { opportunityId: 'opp-1' });
  sim.event('certification_completed', { track: 'strategic', passed: true }).event('customer_engagement_completed', { kind: 'demo' });
  const afterActivation = sim.view().phase;
  sim.day(80).event('opportunity_registered', { opportunityId: 'opp-2' }).event('opportunity_registered', { opportunityId: 'opp-3' });
  sim.event('opportunity_acknowledged', { opportunityId: 'opp-2' }).event('opportunity_acknowledged', { opportunityId: 'opp-3' });
  sim.day(95).event('deal_won', { opportunityId: 'opp-1', amount: 20_000 }).event('community_event_attended');
  sim.day(100).event('business_review_completed').event('joint_business_plan_created');
  const graduated = sim.view();

  it('the first joint plan completes the foundation plan, the second the next-quarter plan', () => {
    const plans = (v: typeof graduated) => v.milestones.filter((m) => m.id.endsWith('plan')).map((m) => [m.id, m.completedAt]);
    expect(plans(afterFirstPlan)).toEqual([
      ['joint_business_plan', iso(T0 + 10 * DAY)],
      ['next_quarter_plan', null],
    ]);
    expect(plans(graduated)).toEqual([
      ['joint_business_plan', iso(T0 + 10 * DAY)],
      ['next_quarter_plan', iso(T0 + 100 * DAY)],
    ]);
  });

  it('counts monthly reviews during onboarding; only a review in momentum closes the onboarding review', () => {
    expect(afterFirstReview.reviewsCompleted).toBe(1);
    expect(afterFirstReview.nextReviewAt).toBe(iso(T0 + 61 * DAY));
    expect(afterFirstReview.milestones.find((m) => m.id === 'business_review_90_day')?.status).toBe('pending');
    expect(graduated.reviewsCompleted).toBe(2);
    expect(sim.keys('recurring_review_reminder')).toEqual(['recurring_review_reminder:c1:manager', 'recurring_review_reminder:c2:manager']);
    expect(sim.sentOf('recurring_review_reminder:c1:manager')?.at).toBe(T0 + 30 * DAY);
    expect(sim.sentOf('recurring_review_reminder:c2:manager')?.at).toBe(T0 + 61 * DAY);
  });

  it('graduates with all required milestones done, then reviews monthly', () => {
    expect([afterFoundation, afterActivation, graduated.phase]).toEqual(['activation', 'momentum', 'graduated']);
    expect(graduated.milestones.filter((m) => m.required && m.status !== 'done')).toEqual([]);
    expect(graduated.checkpoints.map((c) => [c.phase, c.dueAt, c.outcome])).toEqual([
      ['foundation', iso(T0 + 40 * DAY), 'passed'],
      ['activation', iso(T0 + 80 * DAY), 'passed'],
      ['momentum', iso(T0 + 120 * DAY), 'passed'],
    ]);
    expect(graduated.nextReviewAt).toBe(iso(T0 + 130 * DAY));
    sim.day(130);
    expect(sim.keys().at(-1)).toBe('recurring_review_reminder:c3:manager');
  });
});

describe('transactional partner: 60 days, digital and self-service', () => {
  const sim = new Sim(profile({ segment: 'transactional', role: 'sales' }));
  sim.day(1).event('portal_access_granted');
  sim.day(2).event('agreements_signed');
  sim.day(5).event('training_completed', { module: 'business_101' });
  const afterFoundation = sim.view().phase;
  sim.day(10).event('opportunity_registered', { opportunityId: 'opp-1', amount: 60_000 });
  sim.day(10 + 2 / 24).event('opportunity_acknowledged', { opportunityId: 'opp-1' });
  const afterActivation = sim.view().phase;
  sim.day(20).event('opportunity_registered', { opportunityId: 'opp-2' }).event('opportunity_registered', { opportunityId: 'opp-3' });
  sim.event('opportunity_acknowledged', { opportunityId: 'opp-2' }).event('opportunity_acknowledged', { opportunityId: 'opp-3' });
  const beforePipeline = sim.view().phase;
  sim.day(30).event('opportunity_qualified', { opportunityId: 'opp-1' });
  const graduated = sim.view();

  it('has only the stripped-down milestones', () => {
    expect(graduated.milestones.map((m) => m.id)).toEqual([
      'portal_access',
      'agreements_signed',
      'business_101_training',
      'first_opportunity_registered',
      'first_deal_or_pipeline',
      'additional_opportunities',
    ]);
  });

  it('graduates on qualified pipeline above the threshold, without a won deal', () => {
    expect([afterFoundation, afterActivation, beforePipeline, graduated.phase]).toEqual([
      'activation',
      'momentum',
      'momentum',
      'graduated',
    ]);
    expect(graduated.graduatedAt).toBe(iso(T0 + 30 * DAY));
    expect(graduated.indicators.timeToFirstDealDays).toBeNull();
    expect(graduated.opportunities.find((o) => o.opportunityId === 'opp-1')).toMatchObject({
      status: 'qualified',
      amount: 60_000,
      slaBreached: false,
      acknowledgedAt: iso(T0 + 10 * DAY + 2 * HOUR),
    });
    expect(graduated.nextReviewAt).toBe(iso(T0 + 120 * DAY));
  });

  it('sends no guided-path nudges (no week-2 check-in, no business review)', () => {
    sim.day(31);
    expect(sentAtDay(sim)).toEqual([
      [0, 'vendor_milestone_due:portal_access:d2:manager'],
      [0, 'welcome:partner'],
      [5, 'phase_advanced:activation:partner'],
      [10, 'first_deal_support:manager'],
      [10, 'phase_advanced:momentum:partner'],
      [30, 'graduated:manager'],
      // day 30 is a Sunday
      [31, 'graduated:partner'],
      [31, 'graduated_community:partner'],
    ]);
  });
});
