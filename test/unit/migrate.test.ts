/**
 * Playbook migration (workflows/domain/migrate.ts): what a running partner keeps,
 * gains and loses when moved to another playbook version, and the rules for the
 * impossible cases (docs/playbook.md, "Migrating running partners").
 */
import fc from 'fast-check';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { canonicalJson, migrate, type MigrationOutcome } from '../../workflows/domain/migrate';
import { nextWakeAt, toView } from '../../workflows/domain';
import { currentPhase, dueMs, pendingCheckpoint, phaseDeadlineMs, planMilestones } from '../../workflows/domain/state';
import type { MigrationDiff, MigrationRequest } from '../../workflows/migration';
import { parsePlaybook, type MilestoneDef, type NotificationRule, type Playbook, type SegmentPlan } from '../../workflows/playbook';
import { CORE_HAPPY_PATH } from '../helpers/journeys';
import { DAY, Sim, T0, iso, profile } from './harness';

const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }];

/** A valid copy of the default playbook under another version, edited for the core segment. */
function variant(version: string, edit: (core: SegmentPlan, pb: Playbook) => void = () => undefined): Playbook {
  const pb = structuredClone(DEFAULT_PLAYBOOK);
  pb.version = version;
  edit(pb.segments.core, pb);
  const parsed = parsePlaybook(pb);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return parsed.value;
}
const milestone = (plan: SegmentPlan, id: string): MilestoneDef => plan.milestones.find((m) => m.id === id)!;
/** Removes a milestone from the plan and from the rules that name it. */
function remove(plan: SegmentPlan, id: string): void {
  plan.milestones = plan.milestones.filter((m) => m.id !== id);
  for (const rule of plan.notifications) {
    const t = rule.trigger;
    if ((t.on === 'start' || t.on === 'phase_deadline') && t.ifAnyOpen) t.ifAnyOpen = t.ifAnyOpen.filter((x) => x !== id);
    if (t.on === 'milestone_due' && t.milestones.ids) t.milestones.ids = t.milestones.ids.filter((x) => x !== id);
  }
}
const request = (playbook: Playbook, extra: Partial<MigrationRequest> = {}): MigrationRequest => ({
  playbook,
  hash: `sha-${playbook.version}`,
  ...extra,
});

function applied(outcome: MigrationOutcome): Extract<MigrationOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`refused: ${outcome.code}: ${outcome.reason}`);
  return outcome;
}

/** Migrates the simulated partner now, and carries on from the migrated state like the shell does. */
function migrateSim(sim: Sim, playbook: Playbook, extra: Partial<MigrationRequest> = {}): MigrationDiff {
  const { state, diff } = applied(migrate(sim.state, request(playbook, extra), sim.now));
  sim.state = state;
  sim.tick();
  return diff;
}

/** Foundation's first week done on day 1. */
function firstWeekDone(sim = new Sim()): Sim {
  return sim
    .day(1)
    .event('kickoff_completed')
    .event('portal_access_granted')
    .event('contacts_designated', { contacts })
    .event('profile_completed')
    .event('agreements_signed');
}

/** Everything of foundation done but the product assessment: the checkpoint on day 30 has one gap. */
function foundationWithGap(): Sim {
  return firstWeekDone(new Sim(profile(), { ...DEFAULT_PLAYBOOK, atRiskOverdueDays: 120 }))
    .day(5)
    .event('training_completed', { module: 'business_101' })
    .event('opportunity_identified', { opportunityId: 'opp-1' })
    .event('target_accounts_shared', { accounts: ['Globex'] })
    .day(20)
    .event('training_completed', { module: 'product' })
    .event('demo_shadowed');
}

const day = (d: number) => ({ at: iso(T0 + d * DAY), day: d });

describe('canonical JSON', () => {
  it('is the same text for the same value, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});

describe('what a migration refuses (nothing changes, the Update writes no history)', () => {
  const sim = firstWeekDone().day(3);

  it('the same content again: unchanged', () => {
    const same = structuredClone(DEFAULT_PLAYBOOK);
    expect(migrate(sim.state, request(same), sim.now)).toMatchObject({ ok: false, code: 'unchanged' });
  });

  it('an offboarded partner', () => {
    const gone = new Sim().day(2).event('offboarded', { reason: 'contract cancelled' });
    expect(migrate(gone.state, request(variant('v2')), gone.now)).toMatchObject({ ok: false, code: 'offboarded' });
  });

  it('a partner that no longer matches the request (another segment, another version)', () => {
    expect(migrate(sim.state, request(variant('v2'), { expect: { segment: 'strategic' } }), sim.now)).toMatchObject({
      ok: false,
      code: 'precondition_failed',
      reason: 'the partner is a core partner now, not strategic',
    });
    expect(migrate(sim.state, request(variant('v2'), { expect: { fromVersion: 'default-2026.11' } }), sim.now)).toMatchObject({
      ok: false,
      code: 'precondition_failed',
      reason: 'the partner is on playbook default-2027.01, not default-2026.11',
    });
    expect(migrate(sim.state, request(variant('v2'), { expect: { segment: 'core', fromVersion: 'default-2027.01' } }), sim.now).ok).toBe(true);
  });

  it('a target that is not a playbook, or that the domain cannot run, naming the problem; never a throw', () => {
    const broken = structuredClone(DEFAULT_PLAYBOOK) as unknown as { segments: { core: { phaseDays: Record<string, unknown> } } };
    broken.segments.core.phaseDays.activation = 'thirty';
    expect(migrate(sim.state, request(broken as unknown as Playbook), sim.now)).toEqual({
      ok: false,
      code: 'invalid_playbook',
      reason: 'playbook.segments.core.phaseDays.activation: must be a whole number of days',
    });
    expect(migrate(sim.state, { hash: 'x' } as MigrationRequest, sim.now)).toMatchObject({ ok: false, code: 'invalid_playbook' });
    // Well-shaped milestones, but a notification rule without a trigger: the dry run of the next step catches it.
    const noTrigger = variant('v-broken');
    (noTrigger.segments.core.notifications as unknown[]).push({ id: 'x', kind: 'welcome', audience: ['partner'] });
    const outcome = migrate(sim.state, request(noTrigger), sim.now);
    expect(outcome).toMatchObject({ ok: false, code: 'invalid_playbook' });
    expect(!outcome.ok && outcome.reason).toMatch(/^the target playbook does not run for this partner: /);
  });

  it('never changes the state it is given', () => {
    const before = JSON.stringify(sim.state);
    applied(migrate(sim.state, request(variant('v2', (core) => remove(core, 'demo_shadowed'))), sim.now));
    expect(JSON.stringify(sim.state)).toBe(before);
  });
});

describe('a foundation partner on day 10: milestones added, removed, moved, done ones kept', () => {
  const target = variant('v2', (core) => {
    core.phaseDays = { foundation: 28, activation: 32, momentum: 30 };
    core.milestones.splice(3, 0, {
      id: 'security_training',
      title: 'Security training',
      phase: 'foundation',
      owner: 'partner',
      dueDay: 20,
      requiredAtCheckpoint: true,
      completion: { kind: 'event', events: ['training_completed'], match: { module: 'security' } },
    });
    core.milestones.splice(4, 0, {
      id: 'compliance_check',
      title: 'Compliance check',
      phase: 'foundation',
      owner: 'vendor',
      dueDay: 5,
      requiredAtCheckpoint: false,
      completion: { kind: 'event', events: ['profile_completed'] },
    });
    remove(core, 'demo_shadowed');
    milestone(core, 'business_101_training').dueDay = 8;
    milestone(core, 'product_training').dueDay = 25;
    milestone(core, 'product_assessment').dueDay = 28;
    milestone(core, 'company_profile').dueDay = 5;
    milestone(core, 'opportunity_discovery').requiredAtCheckpoint = false;
  });
  const sim = firstWeekDone().day(10);
  const before = sim.view();
  const diff = migrateSim(sim, target, { by: 'ops@vendor.example' });

  it('lists the added milestones with their due dates: the planned one, or the next day instead of the past', () => {
    expect(diff.milestones.added).toEqual([
      { id: 'security_training', title: 'Security training', phase: 'foundation', required: true, due: day(20), status: 'pending', rule: 'as_planned' },
      { id: 'compliance_check', title: 'Compliance check', phase: 'foundation', required: false, due: day(11), status: 'pending', rule: 'next_day' },
    ]);
  });

  it('removes a milestone the new version no longer has', () => {
    expect(diff.milestones.removed).toEqual([{ id: 'demo_shadowed', title: 'Product demo shadowed', phase: 'foundation', status: 'pending' }]);
    expect(sim.view().milestones.map((m) => m.id)).not.toContain('demo_shadowed');
  });

  it('moves open milestones, never into the past; a done milestone keeps its completion, whatever its new date', () => {
    expect(diff.milestones.moved).toEqual([
      { id: 'business_101_training', title: 'Business 101 training', phase: 'foundation', from: day(14), to: day(11), rule: 'next_day' },
      { id: 'product_training', title: 'Product training', phase: 'foundation', from: day(30), to: day(25), rule: 'as_planned' },
      { id: 'product_assessment', title: 'Product knowledge assessment passed', phase: 'foundation', from: day(30), to: day(28), rule: 'as_planned' },
    ]);
    expect(diff.milestones.kept).toEqual(['welcome_email', 'kickoff_call', 'portal_access', 'primary_contacts', 'company_profile', 'agreements_signed']);
    const after = sim.view();
    for (const id of diff.milestones.kept) {
      expect(after.milestones.find((m) => m.id === id)).toMatchObject({
        status: 'done',
        completedAt: before.milestones.find((m) => m.id === id)!.completedAt,
      });
    }
    expect(diff.milestones.changed).toEqual([{ id: 'opportunity_discovery', required: { from: true, to: false } }]);
  });

  it('moves the phase deadline, and says who migrated which version to which', () => {
    expect(diff.deadlines).toEqual([{ phase: 'foundation', from: day(30), to: day(28), rule: 'as_planned' }]);
    expect(diff).toMatchObject({
      partnerId: 'acme-cloud',
      segment: 'core',
      from: { version: 'default-2027.01', hash: null },
      to: { version: 'v2', hash: 'sha-v2' },
      phase: { from: 'foundation', to: 'foundation' },
      health: { from: 'on_track', to: 'on_track' },
      checkpoint: null,
      reviews: null,
    });
    const view = sim.view();
    expect(view).toMatchObject({
      playbookVersion: 'v2',
      playbookHash: 'sha-v2',
      phaseDeadline: iso(T0 + 28 * DAY),
      playbookMigrations: [{ from: { version: 'default-2027.01', hash: null }, to: { version: 'v2', hash: 'sha-v2' }, at: iso(T0 + 10 * DAY), by: 'ops@vendor.example' }],
    });
  });

  it('carries on with the new plan: the new milestone completes from its event, reminders follow the new dates', () => {
    sim.day(12);
    expect(sim.status('business_101_training')).toBe('overdue');
    sim.event('training_completed', { module: 'security' });
    expect(sim.status('security_training')).toBe('done');
    sim.day(24);
    // The partner's reminder for product training, 3 days before its new due day 25: day 22 is a
    // Saturday, so Monday 09:00 (day 24).
    expect(sim.sentOf('milestone_reminder:product_training:d25:partner')?.at).toBe(T0 + 24 * DAY);
  });
});

describe('a milestone removed while it is overdue', () => {
  const sim = firstWeekDone()
    .day(5)
    .event('opportunity_identified', { opportunityId: 'opp-1' })
    .event('target_accounts_shared', { accounts: ['Globex'] })
    .day(20);

  it('leaves the plan, the diff says it was overdue, and health is recounted', () => {
    expect(sim.status('business_101_training')).toBe('overdue');
    expect(sim.view().health).toBe('behind');
    const diff = migrateSim(sim, variant('v2', (core) => remove(core, 'business_101_training')));
    expect(diff.milestones.removed).toEqual([{ id: 'business_101_training', title: 'Business 101 training', phase: 'foundation', status: 'overdue' }]);
    expect(diff.health).toEqual({ from: 'behind', to: 'on_track' });
    expect(sim.view().health).toBe('on_track');
  });
});

describe('an overdue milestone the new version moves', () => {
  const overdue = () =>
    firstWeekDone()
      .day(5)
      .event('opportunity_identified', { opportunityId: 'opp-1' })
      .event('target_accounts_shared', { accounts: ['Globex'] })
      .day(20);

  it('earlier: keeps its due date, never more overdue', () => {
    const sim = overdue();
    const diff = migrateSim(sim, variant('v2', (core) => (milestone(core, 'business_101_training').dueDay = 9)));
    // Day 9 is earlier than day 14: the milestone stays due on day 14, nothing moves.
    expect(diff.milestones.moved).toEqual([]);
    expect(sim.view().milestones.find((m) => m.id === 'business_101_training')?.dueAt).toBe(iso(T0 + 14 * DAY));
  });

  it('later, into the future: pending again', () => {
    const sim = overdue();
    const diff = migrateSim(sim, variant('v2', (core) => (milestone(core, 'business_101_training').dueDay = 25)));
    expect(diff.milestones.moved).toEqual([
      { id: 'business_101_training', title: 'Business 101 training', phase: 'foundation', from: day(14), to: day(25), rule: 'as_planned' },
    ]);
    expect(sim.status('business_101_training')).toBe('pending');
    expect(diff.health).toEqual({ from: 'behind', to: 'on_track' });
  });

  it('later, but still in the past: due on the new day, less overdue', () => {
    const sim = overdue();
    const diff = migrateSim(sim, variant('v2', (core) => (milestone(core, 'business_101_training').dueDay = 17)));
    expect(diff.milestones.moved).toEqual([
      { id: 'business_101_training', title: 'Business 101 training', phase: 'foundation', from: day(14), to: day(17), rule: 'as_planned' },
    ]);
    expect(sim.status('business_101_training')).toBe('overdue');
  });
});

describe('a phase shorter than the days already spent in it', () => {
  // Day 25 of foundation; the new version's foundation lasts 20 days (its milestones due by day 20).
  const shorter = variant('v2', (core) => {
    core.phaseDays = { foundation: 20, activation: 40, momentum: 30 };
    for (const id of ['product_training', 'product_assessment', 'demo_shadowed']) milestone(core, id).dueDay = 20;
  });
  const sim = firstWeekDone().day(5).event('training_completed', { module: 'business_101' }).event('opportunity_identified', { opportunityId: 'opp-1' }).day(25);
  const diff = migrateSim(sim, shorter);

  it('ends on the next day of the plan, never in the past; the later phases keep their lengths after it', () => {
    expect(diff.deadlines).toEqual([
      { phase: 'foundation', from: day(30), to: day(26), rule: 'next_day' },
      { phase: 'activation', from: day(60), to: day(66), rule: 'as_planned' },
      { phase: 'momentum', from: day(90), to: day(96), rule: 'as_planned' },
    ]);
    expect(diff.milestones.moved).toEqual(
      expect.arrayContaining([
        { id: 'product_training', title: 'Product training', phase: 'foundation', from: day(30), to: day(26), rule: 'next_day' },
        { id: 'co_selling_training', title: 'Co-selling training', phase: 'activation', from: day(42), to: day(48), rule: 'as_planned' },
      ]),
    );
    expect(sim.view()).toMatchObject({ phase: 'foundation', awaitingDecision: false, phaseDeadline: iso(T0 + 26 * DAY) });
  });

  it('opens its checkpoint then, with the usual decision window', () => {
    sim.day(26);
    const v = sim.view();
    expect(v.awaitingDecision).toBe(true);
    expect(v.checkpoints).toEqual([
      { phase: 'foundation', dueAt: iso(T0 + 26 * DAY), outcome: 'pending', gaps: ['product_training', 'product_assessment'] },
    ]);
    expect(sim.sentOf('checkpoint_summary:foundation:1:manager')?.at).toBe(T0 + 26 * DAY);
  });
});

describe('a checkpoint awaiting a decision', () => {
  const pendingOn31 = () => {
    const sim = foundationWithGap().day(31);
    expect(sim.view()).toMatchObject({ awaitingDecision: true, checkpoints: [{ outcome: 'pending', gaps: ['product_assessment'] }] });
    return sim;
  };

  it('is withdrawn when the new version gives the phase more time (a new one opens at the new deadline)', () => {
    const sim = pendingOn31();
    const diff = migrateSim(
      sim,
      variant('v2', (core) => (core.phaseDays = { foundation: 40, activation: 20, momentum: 30 })),
    );
    expect(diff.checkpoint).toEqual({ phase: 'foundation', after: 'withdrawn', gaps: [] });
    expect(diff.deadlines[0]).toEqual({ phase: 'foundation', from: day(30), to: day(40), rule: 'as_planned' });
    expect(sim.view()).toMatchObject({
      awaitingDecision: false,
      phaseDeadline: iso(T0 + 40 * DAY),
      extensions: 0,
      checkpoints: [{ phase: 'foundation', outcome: 'extended', decidedBy: 'playbook v2', decidedAt: iso(T0 + 31 * DAY) }],
    });
    sim.day(40);
    expect(sim.view().checkpoints.map((c) => c.outcome)).toEqual(['extended', 'pending']);
  });

  it('keeps its deadline and decision window when the new deadline has passed too', () => {
    const sim = pendingOn31();
    const diff = migrateSim(
      sim,
      variant('v2', (core) => {
        core.phaseDays = { foundation: 25, activation: 35, momentum: 30 };
        for (const id of ['product_training', 'product_assessment', 'demo_shadowed']) milestone(core, id).dueDay = 25;
      }),
    );
    expect(diff.checkpoint).toEqual({ phase: 'foundation', after: 'waiting', gaps: ['product_assessment'] });
    expect(diff.deadlines).toEqual([
      { phase: 'activation', from: day(60), to: day(65), rule: 'as_planned' },
      { phase: 'momentum', from: day(90), to: day(95), rule: 'as_planned' },
    ]);
    // product_assessment was overdue (day 30): its earlier new day (25) does not make it more overdue.
    expect(diff.milestones.moved).toEqual(expect.not.arrayContaining([expect.objectContaining({ id: 'product_assessment' })]));
    expect(sim.view()).toMatchObject({ awaitingDecision: true, phaseDeadline: iso(T0 + 30 * DAY) });
    sim.day(33); // the decision window ends three days after the checkpoint, as before
    expect(sim.view()).toMatchObject({ extensions: 1, checkpoints: [{ outcome: 'extended', decidedBy: 'default policy' }] });
  });

  it('passes when the new version leaves no gap, and the partner moves on (and hears of it)', () => {
    const sim = pendingOn31();
    const diff = migrateSim(sim, variant('v2', (core) => (milestone(core, 'product_assessment').requiredAtCheckpoint = false)));
    expect(diff.checkpoint).toEqual({ phase: 'foundation', after: 'passed', gaps: [] });
    expect(diff.phase).toEqual({ from: 'foundation', to: 'activation' });
    expect(sim.view().checkpoints).toEqual([
      expect.objectContaining({ phase: 'foundation', outcome: 'passed', decidedAt: iso(T0 + 31 * DAY) }),
    ]);
    sim.day(32);
    expect(sim.keys('phase_advanced')).toEqual(['phase_advanced:activation:partner']);
  });
});

describe('notifications: never twice, never for the past', () => {
  it('a renamed welcome rule and a new rule whose moment has passed are skipped; a new rule for later sends then', () => {
    const sim = firstWeekDone().day(20);
    const target = variant('v2', (core) => {
      const welcome = core.notifications.find((r) => r.id === 'welcome')!;
      welcome.id = 'welcome_v2';
      const week1: NotificationRule = { id: 'week1_checkin', kind: 'week2_checkin', audience: ['manager'], trigger: { on: 'start', afterHours: 7 * 24 } };
      const early: NotificationRule = {
        id: 'four_days_before',
        kind: 'milestone_reminder',
        audience: ['partner'],
        trigger: { on: 'milestone_due', afterHours: -96, milestones: { owner: 'partner', requiredAtCheckpoint: true } },
      };
      core.notifications.push(week1, early);
    });
    const sentBefore = sim.keys();
    expect(sentBefore).toContain('welcome:partner');
    const diff = migrateSim(sim, target);
    expect(diff.notificationsSkipped.sort()).toEqual(['week1_checkin:manager', 'welcome_v2:partner']);
    sim.day(28);
    // The new rule reminds of milestones due after the migration (product training, day 30: on day 26);
    // the reminders of the rule kept from before go out as they would have (day 27).
    expect(sim.carrying('four_days_before:product_training:d30:partner')?.at).toBe(T0 + 26 * DAY);
    expect(sim.carrying('milestone_reminder:product_training:d30:partner')?.at).toBe(T0 + 27 * DAY);
    sim.day(95);
    const keys = sim.keys();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain('welcome_v2:partner');
    expect(keys).not.toContain('week1_checkin:manager');
  });
});

describe('done milestones the new version no longer has', () => {
  it('leave the plan but not the record: a version that brings them back finds them done', () => {
    const sim = firstWeekDone().day(10);
    const kickoffDone = sim.view().milestones.find((m) => m.id === 'kickoff_call')!.completedAt;
    const diff = migrateSim(sim, variant('v2', (core) => remove(core, 'kickoff_call')));
    expect(diff.milestones.removed).toEqual([{ id: 'kickoff_call', title: 'Kickoff call with the partner manager', phase: 'foundation', status: 'done' }]);
    const back = migrateSim(sim, variant('v3'));
    expect(back.milestones.added).toEqual([
      expect.objectContaining({ id: 'kickoff_call', status: 'done', rule: 'already_done' }),
    ]);
    expect(sim.view().milestones.find((m) => m.id === 'kickoff_call')).toMatchObject({ status: 'done', completedAt: kickoffDone });
    expect(sim.view().playbookMigrations.map((m) => `${m.from.version}->${m.to.version}`)).toEqual(['default-2027.01->v2', 'v2->v3']);
  });
});

describe('milestones of phases the partner has already left', () => {
  it('are waived when added (their checkpoint has passed), and derived rules complete added ones at once', () => {
    const sim = new Sim(profile({ contacts }));
    for (const step of CORE_HAPPY_PATH.filter((s) => s.day <= 40)) {
      sim.day(step.day);
      for (const e of step.events) sim.event(e.type, 'data' in e ? e.data : undefined);
    }
    sim.day(40);
    expect(sim.view().phase).toBe('activation');
    const diff = migrateSim(
      sim,
      variant('v2', (core) => {
        core.milestones.splice(5, 0, {
          id: 'reference_call',
          title: 'Reference call',
          phase: 'foundation',
          owner: 'partner',
          dueDay: 10,
          requiredAtCheckpoint: true,
          completion: { kind: 'event', events: ['practical_completed'] },
        });
        core.milestones.push({
          id: 'one_registration',
          title: 'One registration',
          phase: 'momentum',
          owner: 'partner',
          dueDay: 85,
          requiredAtCheckpoint: false,
          completion: { kind: 'registrations', count: 1 },
        });
      }),
    );
    expect(diff.milestones.added).toEqual([
      expect.objectContaining({ id: 'reference_call', status: 'waived', rule: 'waived_phase_passed' }),
      expect.objectContaining({ id: 'one_registration', status: 'done', rule: 'already_done' }),
    ]);
    expect(sim.view().milestones.find((m) => m.id === 'reference_call')).toMatchObject({
      status: 'waived',
      waivedReason: 'added by playbook v2: the foundation phase was already behind the partner',
    });
  });
});

describe('after graduation', () => {
  it('the next review stays where it is; the new cadence applies from then on', () => {
    const sim = new Sim(profile({ contacts }));
    for (const step of CORE_HAPPY_PATH) {
      sim.day(step.day);
      for (const e of step.events) sim.event(e.type, 'data' in e ? e.data : undefined);
    }
    sim.day(100);
    const v = sim.view();
    expect(v.phase).toBe('graduated');
    const diff = migrateSim(sim, variant('v2', (core) => (core.reviewCadenceDays = 30)));
    expect(diff).toMatchObject({ reviews: null, deadlines: [], phase: { from: 'graduated', to: 'graduated' } });
    expect(sim.view().nextReviewAt).toBe(v.nextReviewAt);
    sim.event('business_review_completed');
    expect(Date.parse(sim.view().nextReviewAt!)).toBe(sim.now + 30 * DAY);
  });
});

describe('reviews during onboarding follow the new version', () => {
  it('turned on: the first one is the next cadence moment after the migration', () => {
    const sim = firstWeekDone().day(40);
    const diff = migrateSim(
      sim,
      variant('v2', (core) => {
        core.reviewsDuringOnboarding = true;
        core.reviewCadenceDays = 30;
      }),
    );
    expect(diff.reviews).toEqual({ from: null, to: iso(T0 + 60 * DAY) });
  });
});

describe('properties, over random days and random versions', () => {
  /** A version with random phase lengths (due days scaled into them) and some optional milestones removed. */
  const randomVersion = (lengths: [number, number, number], drop: boolean[]) =>
    variant(`r-${lengths.join('-')}`, (core) => {
      const old = core.phaseDays;
      const starts = { foundation: 0, activation: old.foundation, momentum: old.foundation + old.activation };
      const newStarts = { foundation: 0, activation: lengths[0], momentum: lengths[0] + lengths[1] };
      core.phaseDays = { foundation: lengths[0], activation: lengths[1], momentum: lengths[2] };
      const referenced = new Set(
        core.notifications.flatMap((r) => ('ifAnyOpen' in r.trigger ? (r.trigger.ifAnyOpen ?? []) : []).concat(
          r.trigger.on === 'milestone_due' ? (r.trigger.milestones.ids ?? []) : [],
        )),
      );
      core.milestones = core.milestones
        .filter((m, i) => referenced.has(m.id) || !drop[i % drop.length] || m.requiredAtCheckpoint)
        .map((m) => {
          const len = old[m.phase];
          const into = m.dueDay - starts[m.phase];
          return { ...m, dueDay: newStarts[m.phase] + Math.round((Math.max(0, into) / len) * core.phaseDays[m.phase]) };
        });
    });

  it('no open milestone becomes (more) overdue, no deadline moves into the past, nothing is sent twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 140 }),
        fc.tuple(fc.integer({ min: 10, max: 50 }), fc.integer({ min: 10, max: 50 }), fc.integer({ min: 10, max: 50 })),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 5 }),
        fc.boolean(),
        (migrationDay, lengths, drop, happy) => {
          const sim = new Sim(profile({ contacts }));
          for (const step of happy ? CORE_HAPPY_PATH.filter((s) => s.day <= migrationDay) : []) {
            sim.day(step.day);
            for (const e of step.events) sim.event(e.type, 'data' in e ? e.data : undefined);
          }
          sim.day(migrationDay);
          const before = sim.state;
          const now = sim.now;
          const outcome = migrate(before, request(randomVersion(lengths as [number, number, number], drop)), now);
          if (!outcome.ok) return outcome.code === 'unchanged';
          const after = outcome.state;
          for (const m of planMilestones(after)) {
            if (after.completions[m.id]) continue;
            const due = dueMs(after, m);
            if (due > now) continue;
            // Due in the past: only a milestone that was overdue already, and not earlier than it was.
            const old = planMilestones(before).find((o) => o.id === m.id);
            expect(old).toBeDefined();
            expect(due).toBeGreaterThanOrEqual(dueMs(before, old!));
          }
          const phase = currentPhase(after);
          const pending = pendingCheckpoint(after);
          if (phase) expect(phaseDeadlineMs(after, phase)).toBe(pending ? pending.dueAtMs : Math.max(phaseDeadlineMs(after, phase), now + 1));
          const wake = nextWakeAt(after, now);
          expect(wake === null || wake > now).toBe(true);
          sim.state = after;
          sim.tick().day(migrationDay + 60);
          const keys = sim.keys();
          expect(new Set(keys).size).toBe(keys.length);
          expect(toView(sim.state, sim.now).playbookVersion).toMatch(/^r-/);
          return true;
        },
      ),
      { numRuns: 30 },
    );
  });
});
