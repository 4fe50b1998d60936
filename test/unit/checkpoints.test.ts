import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { applyEvent, isFinished, nextWakeAt, tryEvent } from '../../workflows/domain';
import { DAY, Sim, T0, iso, profile } from './harness';

const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }];

/** A core partner who does everything in foundation except passing the product assessment. */
function foundationWithGap(playbook: Playbook = DEFAULT_PLAYBOOK): Sim {
  return new Sim(profile(), playbook)
    .day(1)
    .event('kickoff_completed')
    .event('portal_access_granted')
    .event('contacts_designated', { contacts })
    .event('profile_completed')
    .event('agreements_signed')
    .day(5)
    .event('training_completed', { module: 'business_101' })
    .event('opportunity_identified', { opportunityId: 'opp-1' })
    .event('target_accounts_shared', { accounts: ['Globex'] })
    .day(20)
    .event('training_completed', { module: 'product' });
}
const checkpointKinds = (sim: Sim) =>
  sim.sent
    .filter((s) => ['checkpoint_summary', 'checkpoint_extended', 'at_risk', 'phase_advanced'].includes(s.request.kind))
    .map((s) => [(s.at - T0) / DAY, s.request.key]);

describe('a checkpoint with gaps waits for a decision, then the default policy applies', () => {
  // Isolate the checkpoint policy from the "overdue by more than 14 days" rule.
  const sim = foundationWithGap({ ...DEFAULT_PLAYBOOK, atRiskOverdueDays: 120 });

  it('opens the checkpoint at the phase deadline with the missing required milestones', () => {
    sim.day(30);
    const v = sim.view();
    expect([v.phase, v.awaitingDecision, v.health]).toEqual(['foundation', true, 'on_track']);
    expect(v.checkpoints).toEqual([{ phase: 'foundation', dueAt: iso(T0 + 30 * DAY), outcome: 'pending', gaps: ['product_assessment'] }]);
    expect(sim.sentOf('checkpoint_summary:foundation:1:manager')?.request).toMatchObject({
      channel: 'slack',
      data: { gaps: [{ id: 'product_assessment', title: 'Product knowledge assessment passed' }], decideBy: iso(T0 + 33 * DAY) },
    });
  });

  it('extends by 14 days when no decision arrives within 3 days, twice, moving later due dates', () => {
    sim.day(33 - 1 / 24);
    expect(sim.view().extensions).toBe(0);
    sim.day(33);
    let v = sim.view();
    expect([v.extensions, v.awaitingDecision, v.phaseDeadline]).toEqual([1, false, iso(T0 + 44 * DAY)]);
    expect(v.checkpoints[0]).toMatchObject({ outcome: 'extended', decidedBy: 'default policy', decidedAt: iso(T0 + 33 * DAY) });
    expect(v.milestones.find((m) => m.id === 'co_selling_training')?.dueAt).toBe(iso(T0 + 56 * DAY));
    expect(v.milestones.find((m) => m.id === 'product_assessment')?.dueAt).toBe(iso(T0 + 30 * DAY));
    sim.day(47);
    v = sim.view();
    expect([v.extensions, v.phaseDeadline]).toEqual([2, iso(T0 + 58 * DAY)]);
    expect(v.milestones.find((m) => m.id === 'first_customer_engagement')?.dueAt).toBe(iso(T0 + 88 * DAY));
  });

  it('then marks the partner at risk, once, and keeps waiting for a decision', () => {
    sim.day(61 - 1 / 24);
    expect(sim.view().health).not.toBe('at_risk');
    sim.day(75);
    const v = sim.view();
    expect([v.phase, v.awaitingDecision, v.health, v.extensions]).toEqual(['foundation', true, 'at_risk', 2]);
    expect(v.checkpoints.map((c) => [c.dueAt, c.outcome])).toEqual([
      [iso(T0 + 30 * DAY), 'extended'],
      [iso(T0 + 44 * DAY), 'extended'],
      [iso(T0 + 58 * DAY), 'pending'],
    ]);
    expect(checkpointKinds(sim)).toEqual([
      [30, 'checkpoint_summary:foundation:1:manager'],
      [33, 'checkpoint_extended:foundation:1:manager'],
      [44, 'checkpoint_summary:foundation:2:manager'],
      [47, 'checkpoint_extended:foundation:2:manager'],
      [58, 'checkpoint_summary:foundation:3:manager'],
      [61, 'at_risk:1:escalation'],
    ]);
    expect(sim.sentOf('at_risk:1:escalation')?.request.data).toEqual({
      phase: 'foundation',
      day: 61,
      reasons: [
        {
          code: 'extensions_exhausted',
          phase: 'foundation',
          extensions: 2,
          gaps: [expect.objectContaining({ id: 'product_assessment', title: 'Product knowledge assessment passed', dueAt: iso(T0 + 30 * DAY) })],
        },
      ],
    });
  });

  it('a manager decision ends the risk', () => {
    sim.event('checkpoint_decision', { decision: 'advance', by: 'dana@vendor.example' });
    const v = sim.view();
    // Activation keeps its shifted deadline (60 + 28 days); the assessment is still overdue.
    expect([v.phase, v.awaitingDecision, v.health, v.phaseDeadline]).toEqual(['activation', false, 'behind', iso(T0 + 88 * DAY)]);
  });
});

describe('explicit checkpoint decisions', () => {
  it('advance: moves on; the gap stays open and can still complete', () => {
    const sim = foundationWithGap().day(31);
    sim.event('checkpoint_decision', { decision: 'advance', by: 'dana@vendor.example', note: 'assessment next week' });
    let v = sim.view();
    expect(v.phase).toBe('activation');
    expect(v.checkpoints).toEqual([
      {
        phase: 'foundation',
        dueAt: iso(T0 + 30 * DAY),
        outcome: 'advanced',
        gaps: ['product_assessment'],
        decidedAt: iso(T0 + 31 * DAY),
        decidedBy: 'dana@vendor.example',
        note: 'assessment next week',
      },
    ]);
    expect(v.phaseDeadline).toBe(iso(T0 + 60 * DAY));
    expect(sim.keys('phase_advanced')).toEqual(['phase_advanced:activation:partner']);
    sim.day(35).event('assessment_completed', { assessment: 'product', score: 90 });
    v = sim.view();
    expect([v.phase, sim.status('product_assessment')]).toEqual(['activation', 'done']);
  });

  it('extend: by the given days; the next checkpoint comes at the new deadline', () => {
    const sim = foundationWithGap().day(31);
    sim.event('checkpoint_decision', { decision: 'extend', days: 10 });
    const v = sim.view();
    expect([v.phase, v.extensions, v.phaseDeadline, v.awaitingDecision]).toEqual(['foundation', 1, iso(T0 + 40 * DAY), false]);
    expect(v.checkpoints[0]).toMatchObject({ outcome: 'extended', decidedAt: iso(T0 + 31 * DAY) });
    expect(v.milestones.find((m) => m.id === 'co_selling_training')?.dueAt).toBe(iso(T0 + 52 * DAY));
    sim.day(40);
    expect(sim.view().checkpoints.map((c) => [c.dueAt, c.outcome])).toEqual([
      [iso(T0 + 30 * DAY), 'extended'],
      [iso(T0 + 40 * DAY), 'pending'],
    ]);
    // Every later phase deadline moved too: activation ends on day 70.
    sim.event('assessment_completed', { assessment: 'product', score: 81 });
    expect(sim.view().phaseDeadline).toBe(iso(T0 + 70 * DAY));
  });

  it('extend without days uses the default extension (14)', () => {
    const sim = foundationWithGap().day(31).event('checkpoint_decision', { decision: 'extend' });
    expect(sim.view().phaseDeadline).toBe(iso(T0 + 44 * DAY));
  });

  it('a milestone moved by an extension is reminded again for its new due date', () => {
    const sim = foundationWithGap().day(31).event('checkpoint_decision', { decision: 'extend', days: 10 });
    sim.day(35).event('assessment_completed', { assessment: 'product', score: 85 });
    sim.day(60);
    expect(sim.keys('milestone_reminder').filter((k) => k.includes('co_selling'))).toEqual(['milestone_reminder:co_selling_training:d52:partner']);
  });

  it('offboard: ends onboarding', () => {
    const sim = foundationWithGap().day(31).event('checkpoint_decision', { decision: 'offboard', note: 'no capacity' });
    const v = sim.view();
    expect([v.phase, v.offboardedAt, v.checkpoints[0].outcome]).toEqual(['offboarded', iso(T0 + 31 * DAY), 'offboarded']);
    expect(sim.sentOf('offboarded:manager')?.request.data).toMatchObject({ reason: 'checkpoint decision: no capacity' });
    expect(isFinished(sim.state)).toBe(true);
    expect(nextWakeAt(sim.state, sim.now)).toBeNull();
  });

  it('rejects a decision when no checkpoint awaits one', () => {
    const sim = foundationWithGap().event('checkpoint_decision', { decision: 'advance' }, { eventId: 'd-1' });
    expect(sim.view().rejectedEvents).toEqual([
      { eventId: 'd-1', type: 'checkpoint_decision', reason: 'no checkpoint is awaiting a decision', at: iso(T0 + 20 * DAY) },
    ]);
    expect(sim.view().phase).toBe('foundation');
  });

  it('closing the gaps while the checkpoint waits passes it', () => {
    const sim = foundationWithGap().day(31).event('assessment_completed', { assessment: 'product', score: 85 });
    const v = sim.view();
    expect(v.phase).toBe('activation');
    expect(v.checkpoints).toEqual([
      { phase: 'foundation', dueAt: iso(T0 + 30 * DAY), outcome: 'passed', gaps: [], decidedAt: iso(T0 + 31 * DAY) },
    ]);
  });
});

describe('health', () => {
  it('behind when a milestone is overdue, at risk when a required one is more than 14 days overdue', () => {
    const sim = new Sim().day(1).event('kickoff_completed').event('contacts_designated', { contacts });
    sim.day(2);
    expect(sim.view().health).toBe('on_track'); // due at day 2 exactly: not overdue yet
    sim.until(T0 + 2 * DAY + 1);
    expect([sim.status('portal_access'), sim.view().health]).toEqual(['overdue', 'behind']);
    sim.until(T0 + 16 * DAY + 1);
    expect(sim.view().health).toBe('at_risk');
    expect(sim.sentOf('at_risk:1:escalation')).toMatchObject({
      at: T0 + 16 * DAY + 1,
      request: {
        data: { reasons: [{ code: 'milestone_overdue', milestone: expect.objectContaining({ id: 'portal_access', dueAt: iso(T0 + 2 * DAY) }), overdueDays: 14 }] },
      },
    });
    sim.event('portal_access_granted');
    expect(sim.view().health).toBe('behind'); // opportunity_discovery (day 14) is still overdue
  });
});

describe('tryEvent: the rules Update validators run as a dry run', () => {
  const atCheckpoint = () => foundationWithGap().day(30);

  it('refuses without recording anything, and leaves the state untouched', () => {
    const sim = atCheckpoint();
    const before = JSON.stringify(sim.state);
    const result = tryEvent(sim.state, { eventId: 'd1', type: 'checkpoint_decision', data: { decision: 'advance', phase: 'momentum' } }, sim.now);
    expect(result).toMatchObject({
      outcome: 'refused',
      reason: 'the momentum checkpoint is not the one awaiting a decision (the foundation checkpoint is)',
    });
    expect(JSON.stringify(sim.state)).toBe(before);
    expect(result.state.rejectedEvents).toEqual([]);
  });

  it('applies what applyEvent applies, and names a repeat', () => {
    const sim = atCheckpoint();
    const event = { eventId: 'd1', type: 'checkpoint_decision', data: { decision: 'extend', days: 5, phase: 'foundation' } };
    const result = tryEvent(sim.state, event, sim.now);
    expect(result.outcome).toBe('applied');
    expect(JSON.stringify(result.state)).toBe(JSON.stringify(applyEvent(sim.state, event, sim.now)));
    expect(tryEvent(result.state, event, sim.now)).toMatchObject({ outcome: 'duplicate' });
  });

  it('refuses a waiver of a milestone that is done or already waived, and of an unknown one (signals record it)', () => {
    const sim = atCheckpoint();
    expect(tryEvent(sim.state, { eventId: 'w1', type: 'milestone_waived', data: { milestoneId: 'kickoff_call', reason: 'x' } }, sim.now)).toMatchObject({
      outcome: 'refused',
      reason: "milestone 'kickoff_call' is already done",
    });
    sim.event('milestone_waived', { milestoneId: 'nope', reason: 'x' }, { eventId: 'w2' });
    expect(sim.view().rejectedEvents).toEqual([expect.objectContaining({ eventId: 'w2', reason: "unknown milestone 'nope' for core partners" })]);
  });
});
