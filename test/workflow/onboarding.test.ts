/**
 * The partnerOnboarding workflow on the time-skipping test server: full journeys
 * per segment, stalled partners and checkpoint decisions, and the seed's
 * bottleneck fixes, with server.env.sleep moving the days.
 */
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { SA_HEALTH, SA_MANAGER, SA_PHASE, SA_SEGMENT, WORKFLOW_TYPE, onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import type { LifecyclePhase, PartnerEvent, Segment } from '../../workflows/types';
import { RUN_PATCH } from '../../workflows/patches';
import { DAY_MS, driveJourney, sleepUntilDay, stateOf } from '../helpers/drive';
import { HAPPY_PATHS, profileFor, withIds } from '../helpers/journeys';
import { changeVersionUpserts, patchesOf } from '../helpers/patches';
import { startPartner } from '../helpers/runJourney';
import { timeSkippingWorkerPerFile, uniq } from '../helpers/temporal';

const server = timeSkippingWorkerPerFile('onboarding-test');

async function start(segment: Segment, overrides = {}) {
  return startPartner(server.env, server.taskQueue, profileFor(segment, uniq(segment), overrides));
}

/** The phase expected after each step of the segment's scripted happy path. */
const EXPECTED_PHASES: Record<Segment, LifecyclePhase[]> = {
  core: ['foundation', 'foundation', 'foundation', 'activation', 'activation', 'activation', 'activation', 'momentum', 'momentum', 'momentum', 'graduated'],
  strategic: ['foundation', 'foundation', 'foundation', 'activation', 'activation', 'activation', 'activation', 'momentum', 'momentum', 'momentum', 'graduated'],
  transactional: ['foundation', 'activation', 'momentum', 'graduated'],
};

describe.each(['core', 'strategic', 'transactional'] as Segment[])('%s happy path', (segment) => {
  it('moves through the phases on the expected days and graduates', async () => {
    const { handle, startedAt } = await start(segment);
    const steps = withIds(HAPPY_PATHS[segment], 'evt', handle.workflowId.replace(/^onboarding-/, ''));
    expect(steps).toHaveLength(EXPECTED_PHASES[segment].length);
    for (const [i, step] of steps.entries()) {
      await sleepUntilDay(server.env, startedAt, step.day);
      for (const event of step.events) await handle.signal(partnerEventSignal, event);
      const state = await stateOf(handle);
      expect({ day: step.day, phase: state.phase }).toEqual({ day: step.day, phase: EXPECTED_PHASES[segment][i] });
    }
    await server.env.sleep(3 * DAY_MS); // partner e-mails go out in business hours
    const state = await stateOf(handle);
    expect(state.graduatedAt).not.toBeNull();
    expect(state.health).toBe('on_track');
    expect(state.rejectedEvents).toEqual([]);
    const required = state.milestones.filter((m) => m.required);
    expect(required.every((m) => m.status === 'done' || m.status === 'waived')).toBe(true);
    expect(state.checkpoints.map((c) => c.outcome)).toEqual(['passed', 'passed', 'passed']);
    expect(state.notifications.some((n) => n.kind === 'graduated')).toBe(true);
  });
});

describe('checkpoints', () => {
  it('a stalled partner: gaps, awaiting a decision, two default extensions, then at risk', async () => {
    const { handle, startedAt } = await start('core');
    await sleepUntilDay(server.env, startedAt, 30.5);
    let state = await stateOf(handle);
    expect(state.phase).toBe('foundation');
    expect(state.awaitingDecision).toBe(true);
    const checkpoint = state.checkpoints[state.checkpoints.length - 1]!;
    expect(checkpoint.outcome).toBe('pending');
    expect(checkpoint.gaps).toEqual(
      expect.arrayContaining(['portal_access', 'primary_contacts', 'opportunity_discovery', 'product_training', 'product_assessment']),
    );
    expect(state.notifications.some((n) => n.kind === 'checkpoint_summary')).toBe(true);

    // No decision: the default policy extends twice by 14 days, then flags the partner.
    await sleepUntilDay(server.env, startedAt, 30 + 3 + 14 + 3 + 14 + 3 + 1);
    state = await stateOf(handle);
    expect(state.extensions).toBe(2);
    expect(state.checkpoints.filter((c) => c.outcome === 'extended')).toHaveLength(2);
    expect(state.health).toBe('at_risk');
    expect(state.awaitingDecision).toBe(true);
    expect(state.phase).toBe('foundation');
    expect(state.notifications.filter((n) => n.kind === 'checkpoint_extended')).toHaveLength(2);
    expect(state.notifications.some((n) => n.kind === 'at_risk')).toBe(true);
    // Extensions move later deadlines: activation's first milestone moved by 28 days.
    const coSelling = state.milestones.find((m) => m.id === 'co_selling_training')!;
    expect(Date.parse(coSelling.dueAt) - startedAt).toBe((42 + 28) * DAY_MS);
  });

  it('an explicit advance decision moves the partner on with its gaps open', async () => {
    const { handle, startedAt } = await start('core');
    await sleepUntilDay(server.env, startedAt, 31);
    await handle.signal(partnerEventSignal, decision('advance'));
    const state = await stateOf(handle);
    expect(state.phase).toBe('activation');
    expect(state.awaitingDecision).toBe(false);
    expect(state.checkpoints[0]).toMatchObject({ phase: 'foundation', outcome: 'advanced' });
    expect(state.milestones.find((m) => m.id === 'portal_access')!.status).toBe('overdue');
  });

  it('an explicit extend decision moves the deadline by the given days', async () => {
    const { handle, startedAt } = await start('core');
    await sleepUntilDay(server.env, startedAt, 31);
    await handle.signal(partnerEventSignal, { ...decision('extend'), data: { decision: 'extend', days: 10, by: 'dana' } });
    const state = await stateOf(handle);
    expect(state.awaitingDecision).toBe(false);
    expect(state.extensions).toBe(1);
    expect(Date.parse(state.phaseDeadline!) - startedAt).toBe(40 * DAY_MS);
  });

  it('an offboard decision ends the workflow', async () => {
    const { handle, startedAt } = await start('core');
    await sleepUntilDay(server.env, startedAt, 31);
    await handle.signal(partnerEventSignal, decision('offboard'));
    const result = await handle.result();
    expect(result.phase).toBe('offboarded');
    expect(result.checkpoints[0]!.outcome).toBe('offboarded');
  });
});

describe("the seed's bottleneck fixes and robustness", () => {
  it('gates opportunity registration behind baseline training and tells the partner', async () => {
    const { handle } = await start('core');
    await handle.signal(partnerEventSignal, ev('r1', 'opportunity_registered', { opportunityId: 'opp-1' }));
    let state = await stateOf(handle);
    expect(state.rejectedEvents).toEqual([expect.objectContaining({ eventId: 'r1', type: 'opportunity_registered' })]);
    expect(state.rejectedEvents[0]!.reason).toMatch(/business_101_training/);
    expect(state.opportunities).toEqual([]);
    await server.env.sleep(3 * DAY_MS); // partner e-mails wait for business hours
    state = await stateOf(handle);
    expect(state.notifications.some((n) => n.kind === 'registration_gated' && n.channel === 'email')).toBe(true);

    await handle.signal(partnerEventSignal, ev('t1', 'training_completed', { module: 'business_101' }));
    await handle.signal(partnerEventSignal, ev('r2', 'opportunity_registered', { opportunityId: 'opp-1' }));
    state = await stateOf(handle);
    expect(state.opportunities[0]).toMatchObject({ opportunityId: 'opp-1', status: 'registered' });
    expect(state.milestones.find((m) => m.id === 'first_opportunity_registered')!.status).toBe('done');
  });

  it('fast-tracks experienced partners', async () => {
    const { handle } = await start('core', { experienced: true });
    await handle.signal(partnerEventSignal, ev('r1', 'opportunity_registered', { opportunityId: 'opp-1' }));
    await handle.signal(partnerEventSignal, ev('a1', 'assessment_completed', { assessment: 'product', score: 85 }));
    const state = await stateOf(handle);
    expect(state.milestones.find((m) => m.id === 'business_101_training')!.status).toBe('waived');
    expect(state.milestones.find((m) => m.id === 'product_training')!.status).toBe('done');
    expect(state.rejectedEvents).toEqual([]);
  });

  it("waives a milestone for one partner on a manager's word", async () => {
    const { handle } = await start('core');
    await handle.signal(partnerEventSignal, ev('w1', 'milestone_waived', { milestoneId: 'demo_shadowed', reason: 'did it last year', by: 'dana' }));
    await handle.signal(partnerEventSignal, ev('w2', 'milestone_waived', { milestoneId: 'no_such_milestone', reason: 'x' }));
    const state = await stateOf(handle);
    expect(state.milestones.find((m) => m.id === 'demo_shadowed')).toMatchObject({ status: 'waived' });
    expect(state.rejectedEvents).toEqual([expect.objectContaining({ eventId: 'w2' })]);
  });

  it('ignores repeated events and accepts opportunity events out of order', async () => {
    const { handle } = await start('core', { experienced: true });
    const register = ev('r1', 'opportunity_registered', { opportunityId: 'opp-1', amount: 1000 });
    await handle.signal(partnerEventSignal, register);
    await handle.signal(partnerEventSignal, register);
    await handle.signal(partnerEventSignal, ev('w1', 'deal_won', { opportunityId: 'opp-1', amount: 1000 })); // before qualified
    await handle.signal(partnerEventSignal, ev('k1', 'opportunity_acknowledged', { opportunityId: 'opp-1' }));
    await handle.signal(partnerEventSignal, ev('k2', 'opportunity_acknowledged', { opportunityId: 'opp-1' }));
    await handle.signal(partnerEventSignal, ev('u1', 'opportunity_qualified', { opportunityId: 'opp-404' }));
    const state = await stateOf(handle);
    expect(state.opportunities).toHaveLength(1);
    expect(state.opportunities[0]).toMatchObject({ opportunityId: 'opp-1', status: 'won' });
    expect(state.opportunities[0]!.acknowledgedAt).not.toBeNull();
    expect(state.milestones.find((m) => m.id === 'first_opportunity_qualified')!.status).toBe('done');
    expect(state.milestones.find((m) => m.id === 'first_deal_or_pipeline')!.status).toBe('done');
    expect(state.rejectedEvents.map((r) => r.eventId)).toEqual(['u1']);
  });

  it('records invalid payloads sent straight to the signal and never fails a workflow task', async () => {
    const { handle } = await start('core');
    for (const bad of [null, 42, 'text', { type: 'kickoff_completed' }, { eventId: 'b1', type: 'nope' }, { eventId: 'b2', type: 'assessment_completed', data: { assessment: 'product', score: 'high' } }]) {
      await handle.signal(partnerEventSignal, bad as unknown as PartnerEvent);
    }
    await handle.signal(partnerEventSignal, ev('ok', 'kickoff_completed'));
    const state = await stateOf(handle);
    expect(state.rejectedEvents).toHaveLength(6);
    expect(state.rejectedEvents.find((r) => r.eventId === 'b2')!.reason).toMatch(/data\.score/);
    expect(state.milestones.find((m) => m.id === 'kickoff_call')!.status).toBe('done');
    const history = await handle.fetchHistory();
    const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    expect(failedTasks).toEqual([]);
  });
});

function ev(eventId: string, type: PartnerEvent['type'], data?: unknown): PartnerEvent {
  return { eventId, type, ...(data === undefined ? {} : { data }) } as PartnerEvent;
}

function decision(d: 'advance' | 'extend' | 'offboard'): PartnerEvent {
  return ev(`decision-${d}`, 'checkpoint_decision', { decision: d, by: 'dana@vendor.example' });
}

describe('a run started without a playbook', () => {
  it('fails at once with MissingPlaybook instead of pinning whatever default the worker has', async () => {
    const profile = profileFor('core', uniq('no-playbook'));
    const handle = await server.env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: server.taskQueue,
      workflowId: onboardingWorkflowId(profile.partnerId),
      args: [profile],
    });
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      type: 'MissingPlaybook',
      nonRetryable: true,
      message: expect.stringContaining('no playbook in the start input'),
    });
  });
});

describe('a run started as the API starts it (onboardingStart)', () => {
  it('finds its search attributes already set and pays no upsert for them in its first workflow task', async () => {
    const { handle } = await start('core');
    await stateOf(handle); // the first workflow task has run
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(SA_PHASE)).toBe('foundation');
    expect(described.typedSearchAttributes.get(SA_HEALTH)).toBe('on_track');
    const history = await handle.fetchHistory();
    const contractKeys: string[] = [SA_PHASE.name, SA_SEGMENT.name, SA_MANAGER.name, SA_HEALTH.name];
    const upserted = (history.events ?? []).flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    // An upsert here is a billed action per partner that changes nothing (bench/workflow-cost.ts counts it).
    expect(upserted.filter((key) => contractKeys.includes(key))).toEqual([]);
  });
});

describe('what a run started by this code records (workflows/patches.ts)', () => {
  it(`takes every earlier patch behind one marker, ${RUN_PATCH}, and one TemporalChangeVersion upsert`, async () => {
    const { handle, startedAt } = await start('core');
    const partnerId = handle.workflowId.replace(/^onboarding-/, '');
    // Through the activation checkpoint: reminders, timers re-armed, registrations checked with the account registry.
    await driveJourney(server.env, handle, startedAt, withIds(HAPPY_PATHS.core.filter((step) => step.day <= 60), 'evt', partnerId));
    await sleepUntilDay(server.env, startedAt, 61);
    const events = (await handle.fetchHistory()).events;
    const activities = new Set((events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean));
    expect(activities).toEqual(new Set(['deliverNotification', 'settleAccounts']));
    expect((events ?? []).filter((e) => e.timerFiredEventAttributes).length).toBeGreaterThan(2);
    // Before: cross-partner-digest, welcome-due-from-send, bundled-reminders, report-on-change,
    // keep-earlier-timer and account-registry, a marker and a visibility write each.
    expect(patchesOf(events)).toEqual([RUN_PATCH]);
    expect(changeVersionUpserts(events)).toBe(1);
  });
});

describe('a workflow cancelled through Temporal', () => {
  it('ends as cancelled while it waits for an event or its timer', async () => {
    const { handle } = await start('core');
    // Parked in its main loop, waiting for an event or its timer: its first notifications are done
    // and their results applied (nothing is left for a workflow task).
    const parked = async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
      const completed = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
      return scheduled > 0 && completed === scheduled && Boolean(events.at(-1)?.workflowTaskCompletedEventAttributes ?? events.at(-1)?.timerStartedEventAttributes);
    };
    for (let tries = 0; !(await parked()); tries++) {
      if (tries > 100) throw new Error('the first notifications never finished');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await handle.cancel();
    // Ended within seconds (a run that ignored the cancellation would wait for its next event).
    for (let tries = 0; (await handle.describe()).status.name === 'RUNNING'; tries++) {
      if (tries > 100) throw new Error('still running 10 s after it was cancelled');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const { events } = await handle.fetchHistory();
    expect(events?.at(-1)?.workflowExecutionCanceledEventAttributes).toBeTruthy();
  });
});
