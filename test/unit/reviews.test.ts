/**
 * "Partner graduates from onboarding to active partnership management":
 * recurring business reviews, and continue-as-new once per review cycle.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { markContinuedAsNew, nextWakeAt, searchAttributes, shouldContinueAsNew } from '../../workflows/domain';
import { DAY, Sim, T0, iso, profile } from './harness';

/** The reviews alone: without the after-graduation inactivity rule (test/unit/afterGraduation.test.ts has it). */
const REVIEWS_ONLY = { ...DEFAULT_PLAYBOOK, ongoing: undefined };

/** Graduates on day 1: a manager waives every required milestone. */
function graduatedOnDay1(): Sim {
  const sim = new Sim(profile(), REVIEWS_ONLY).day(1);
  for (const m of DEFAULT_PLAYBOOK.segments.core.milestones.filter((x) => x.requiredAtCheckpoint && !x.forAdditionalRole)) {
    sim.event('milestone_waived', { milestoneId: m.id, reason: 'pilot', by: 'dana@vendor.example' });
  }
  return sim;
}

describe('recurring reviews after graduation', () => {
  const sim = graduatedOnDay1();

  it('graduates when the last required milestones are waived, and schedules a quarterly review', () => {
    const v = sim.view();
    expect([v.phase, v.graduatedAt, v.nextReviewAt, v.reviewsCompleted]).toEqual(['graduated', iso(T0 + DAY), iso(T0 + 91 * DAY), 0]);
    expect(v.checkpoints.map((c) => c.outcome)).toEqual(['passed', 'passed', 'passed']);
    // The graduation e-mail waits for Monday (day 3); then nothing until the review.
    expect(nextWakeAt(sim.state, sim.now)).toBe(T0 + 3 * DAY);
    sim.day(3);
    expect(sim.keys('graduated')).toEqual(['graduated:manager', 'graduated:partner']);
    // Then nothing until a week before the review, when the partner is asked for the next quarter's plan.
    expect(nextWakeAt(sim.state, sim.now)).toBe(T0 + 84 * DAY);
    expect(searchAttributes(sim.state, sim.now)).toEqual({ phase: 'graduated', segment: 'core', manager: 'dana@vendor.example', health: 'on_track' });
  });

  it('continues-as-new once after graduation', () => {
    expect(shouldContinueAsNew(sim.state)).toBe(true);
    const carried = markContinuedAsNew(sim.state);
    expect(shouldContinueAsNew(sim.state)).toBe(true); // the input is not changed
    expect(shouldContinueAsNew(carried)).toBe(false);
    expect(JSON.parse(JSON.stringify(carried))).toEqual(carried); // plain JSON
    sim.state = carried;
  });

  it('reminds the manager when the review is due, once per cycle', () => {
    sim.day(100);
    expect(sim.keys('recurring_review_reminder')).toEqual(['recurring_review_reminder:c1:manager']);
    expect(sim.sentOf('recurring_review_reminder:c1:manager')).toMatchObject({
      at: T0 + 91 * DAY,
      request: { channel: 'slack', data: { cycle: 1, dueAt: iso(T0 + 91 * DAY) } },
    });
    expect(sim.view().health).toBe('on_track');
  });

  it('is at risk when the review is more than 14 days overdue', () => {
    sim.until(T0 + 105 * DAY);
    expect(sim.view().health).toBe('on_track');
    sim.until(T0 + 105 * DAY + 1);
    expect(sim.view().health).toBe('at_risk');
    expect(sim.sentOf('at_risk:1:escalation')?.request.data).toMatchObject({
      reasons: [{ code: 'review_overdue', dueAt: iso(T0 + 91 * DAY), overdueDays: 14 }],
    });
  });

  it('a completed review counts, schedules the next, and asks for continue-as-new again', () => {
    sim.day(110).event('business_review_completed', { notes: 'expanding to DACH' });
    const v = sim.view();
    expect([v.reviewsCompleted, v.nextReviewAt, v.health]).toEqual([1, iso(T0 + 200 * DAY), 'on_track']);
    expect(shouldContinueAsNew(sim.state)).toBe(true);
    sim.state = markContinuedAsNew(sim.state);
    expect(shouldContinueAsNew(sim.state)).toBe(false);
    sim.day(201);
    expect(sim.keys('recurring_review_reminder')).toEqual(['recurring_review_reminder:c1:manager', 'recurring_review_reminder:c2:manager']);
    expect(shouldContinueAsNew(sim.state)).toBe(false);
  });

  it('keeps honouring the opportunity SLA after graduation (health ignores it)', () => {
    sim.event('training_completed', { module: 'business_101' }).event('opportunity_registered', { opportunityId: 'late-1' });
    sim.day(204);
    expect(sim.keys().filter((k) => k.includes('late-1'))).toEqual([
      'opportunity_sla_manager:late-1:manager',
      'opportunity_sla_escalation:late-1:escalation',
    ]);
    expect(sim.view().health).toBe('on_track');
  });
});

describe('before graduation', () => {
  it('never asks for continue-as-new', () => {
    const sim = new Sim().day(40);
    expect(shouldContinueAsNew(sim.state)).toBe(false);
    expect(markContinuedAsNew(sim.state)).toBe(sim.state);
  });

  it('strategic partners review monthly from the start', () => {
    const sim = new Sim(profile({ segment: 'strategic', role: 'strategic' }));
    expect(sim.view().nextReviewAt).toBe(iso(T0 + 30 * DAY));
    sim.day(31);
    expect(sim.keys('recurring_review_reminder')).toEqual(['recurring_review_reminder:c1:manager']);
  });
});

describe('the view', () => {
  it('counts whole days since the contract and shows the current phase deadline', () => {
    const sim = new Sim().until(T0 + 12 * DAY + 23 * 3_600_000);
    expect([sim.view().day, sim.view().phaseDeadline, sim.view().startedAt]).toEqual([12, iso(T0 + 30 * DAY), iso(T0)]);
  });

  it('defaults the contract date to the start time', () => {
    const started = T0 + 5 * DAY;
    const sim = new Sim(profile({ contractSignedAt: undefined }), DEFAULT_PLAYBOOK, started);
    expect([sim.view().startedAt, sim.view().playbookVersion]).toEqual([iso(started), 'default-2027.01']);
  });
});
