/**
 * The domain's hot paths, checked against what they replaced on every state a
 * real journey passes through: `clone` against a copy through JSON text (what it
 * was), and `reportSummary` against the summary read off the query's view (what
 * it was built from). Both run in every workflow task, so they were rewritten
 * for speed (bench/domain-cost.ts); a partner's history must not notice.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { JOURNEY_KINDS, Simulation, scriptJourney } from '../../client/preview';
import { advance, nextWake, reportSummary, toView, type DomainState } from '../../workflows/domain';
import { clone, jsonCopy } from '../../workflows/domain/state';
import type { ReportSummary } from '../../workflows/report';
import type { Phase, Segment } from '../../workflows/types';
import { DAY, HOUR, Sim, T0, profile } from './harness';

const SEGMENTS: Segment[] = ['strategic', 'core', 'transactional'];

/** A copy through JSON text, the playbook shared: what `clone` did before. */
function throughJson(s: DomainState): DomainState {
  const { playbook, ...rest } = s;
  return { ...(JSON.parse(JSON.stringify(rest)) as Omit<DomainState, 'playbook'>), playbook };
}

/** The late milestones, the required ones done, phase, health and dates, read off the view as `reportSummary` used to. */
function fromView(s: DomainState, nowMs: number): Pick<ReportSummary, 'phase' | 'health' | 'late' | 'required' | 'graduatedAt' | 'offboardedAt'> {
  const view = toView(s, nowMs);
  const late: Partial<Record<Phase, string>> = {};
  for (const m of view.milestones) {
    const completedLate = m.status === 'done' && Date.parse(m.completedAt!) > Date.parse(m.dueAt);
    if (m.status === 'overdue' || completedLate) late[m.phase] = late[m.phase] ? `${late[m.phase]} ${m.id}` : m.id;
  }
  const required = view.milestones.filter((m) => m.required);
  return {
    phase: view.phase,
    health: view.health,
    graduatedAt: view.graduatedAt,
    offboardedAt: view.offboardedAt,
    late,
    required: { done: required.filter((m) => m.status === 'done' || m.status === 'waived').length, total: required.length },
  };
}

/** The part of `reportSummary` that `fromView` reads. */
function summaryPart(s: DomainState, nowMs: number): ReturnType<typeof fromView> {
  const { phase, health, late, required, graduatedAt, offboardedAt } = reportSummary(s, nowMs);
  return { phase, health, late, required, graduatedAt, offboardedAt };
}

/** Checks them after every step the shell would take, and counts the states checked. */
class Checked extends Simulation {
  checked = 0;
  /** Checks in which `advance` handed out requests. */
  handedOut = 0;
  override tick(): this {
    super.tick();
    // Also later: milestones turn overdue between steps, and reminders come due.
    for (const at of [this.now, this.now + HOUR, this.now + 3 * DAY]) {
      expect(summaryPart(this.state, at)).toEqual(fromView(this.state, at));
      // The state `advance` returned (its candidates kept for nextWake) against a copy worked out afresh.
      expect(nextWake(this.state, at)).toEqual(nextWake(throughJson(this.state), at));
      // And on a state `advance` returned with requests just handed out (their keys now requested).
      const step = advance(this.state, at);
      if (step.requests.length) this.handedOut++;
      expect(nextWake(step.state, at)).toEqual(nextWake(throughJson(step.state), at));
    }
    const copy = clone(this.state);
    expect(copy).toStrictEqual(throughJson(this.state));
    expect(copy.playbook).toBe(this.state.playbook);
    expect(copy.seenEventIds).not.toBe(this.state.seenEventIds);
    expect(copy.requested).not.toBe(this.state.requested);
    this.checked++;
    return this;
  }
}

describe('the domain hot paths agree with what they replaced', () => {
  it.each(SEGMENTS.flatMap((segment) => JOURNEY_KINDS.map((kind) => [segment, kind] as const)))('on every state of the %s %s journey', (segment, kind) => {
    const journey = scriptJourney(DEFAULT_PLAYBOOK, segment, kind);
    const start = Date.parse(journey.profile.contractSignedAt!);
    const sim = new Checked(journey.profile, DEFAULT_PLAYBOOK, start);
    for (const { hours, event } of journey.events) sim.until(start + hours * HOUR).apply(event);
    sim.until(start + journey.days * DAY);
    expect(sim.checked).toBeGreaterThan(journey.events.length);
    expect(sim.handedOut).toBeGreaterThan(0);
  });

  it('on a partner with waived milestones, late work, a lost deal and an offboarding', () => {
    const sim = new Sim(profile({ segment: 'core', roles: ['sales', 'technical'], role: undefined }));
    const states: DomainState[] = [];
    const keep = () => states.push(sim.state);
    sim.day(1).event('portal_access_granted');
    keep();
    sim.day(12).event('training_completed', { module: 'business_101' });
    keep();
    sim.day(14).event('milestone_waived', { milestoneId: 'product_training', reason: 'trained at a previous employer', by: 'dana@vendor.example' });
    keep();
    sim.day(20).event('opportunity_registered', { opportunityId: 'opp-1', amount: 5000 });
    sim.day(25).event('deal_lost', { opportunityId: 'opp-1' });
    keep();
    sim.day(40);
    keep();
    sim.event('offboarded', { reason: 'no fit' });
    keep();
    for (const s of states) {
      for (const at of [sim.now, sim.now + 30 * DAY]) expect(summaryPart(s, at)).toEqual(fromView(s, at));
      expect(clone(s)).toStrictEqual(throughJson(s));
    }
    expect(sim.state.rejectedEvents).toEqual([]);
    expect(states[2]!.completions.product_training?.waived).toBeDefined();
    expect(states.at(-1)!.offboardedAtMs).not.toBeNull();
    expect(reportSummary(states[2]!, sim.now).late).toHaveProperty('foundation');
  });
});

describe('jsonCopy', () => {
  it('copies as JSON text would: no undefined members, null in arrays, finite numbers, 0 for -0', () => {
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const value = {
      a: undefined,
      b: [undefined, NaN, Infinity, -0, 'x', null, true],
      c: { d: { e: [1, { f: undefined, g: 2 }] } },
      fn: () => 1,
      sparse,
      '10': 'integer-like keys first',
      z: 'last',
    };
    const copy = jsonCopy(value);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)));
    expect(Object.keys(copy as object)).toEqual(Object.keys(JSON.parse(JSON.stringify(value)) as object));
    expect(Object.is((copy as { b: unknown[] }).b[3], 0)).toBe(true);
  });

  it('keeps a member named __proto__ a member, as JSON.parse does, and shares nothing with its source', () => {
    const source = JSON.parse('{"completions":{"__proto__":{"atMs":1},"kickoff":{"atMs":2}}}') as { completions: Record<string, { atMs: number }> };
    const copy = jsonCopy(source) as typeof source;
    expect(Object.keys(copy.completions)).toEqual(['__proto__', 'kickoff']);
    expect(Object.getPrototypeOf(copy.completions)).toBe(Object.prototype);
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(source)));
    copy.completions.kickoff!.atMs = 99;
    expect(source.completions.kickoff!.atMs).toBe(2);
  });

  it('is what clone copies: a state mutated after cloning leaves the clone as it was', () => {
    const sim = new Sim(profile()).day(3).event('kickoff_completed');
    const before = throughJson(sim.state);
    const copy = clone(sim.state);
    copy.seenEventIds.push('later');
    copy.requested.push('later');
    copy.completions.kickoff_completed = { atMs: 1 };
    expect(throughJson(sim.state)).toStrictEqual(before);
    expect(T0).toBeLessThan(sim.now);
  });
});
