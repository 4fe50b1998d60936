/**
 * The worker shares zod, the schemas, the domain and the default playbook
 * across cached workflows (workflows/shared.ts, preloaded into the reusable V8
 * context). This checks that validation and the domain behave inside that
 * sandbox exactly as outside it, for generated events (valid and invalid, every
 * type), in two workflows on one worker one after the other (a cache shared
 * between them must not make the second differ), and that sharing pinned
 * playbooks by version and hash (workflows/pinnedPlaybook.ts) keeps every
 * partner on exactly the content it pinned.
 */
import fc from 'fast-check';
import { playbookHash } from '../../client/playbooks';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { applyEvent, initState, toView } from '../../workflows/domain';
import { WORKFLOW_TYPE, onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import type { Playbook } from '../../workflows/playbook';
import { EVENT_TYPES, parseEvent } from '../../workflows/types';
import { stateOf } from '../helpers/drive';
import { profileFor } from '../helpers/journeys';
import { startPartner } from '../helpers/runJourney';
import { timeSkippingWorkerPerFile, uniq } from '../helpers/temporal';

const server = timeSkippingWorkerPerFile('shared-modules');

/** Values that hit zod's string, number, enum, e-mail, date-time, array and object checks, right and wrong. */
const anyValue = fc.oneof(
  fc.constantFrom('', 'x', 'business_101', 'product', 'sales', 'meeting', 'marketing', 'advance', 'extend', 'nda'),
  fc.constantFrom('lee@partner.example', 'not-an-email', '2026-12-05T14:00:00Z', '2026-13-45', 'opp-1', 'a'.repeat(300)),
  fc.integer({ min: -10, max: 130 }),
  fc.double({ min: -1, max: 101, noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant([{ role: 'sales', name: 'Lee', email: 'lee@partner.example' }]),
  fc.constant([{ role: '', email: 'bad' }]),
);
const dataKeys = fc.constantFrom(
  'module', 'score', 'assessment', 'opportunityId', 'amount', 'account', 'contacts', 'systems', 'agreements', 'track',
  'passed', 'kind', 'team', 'decision', 'days', 'milestoneId', 'reason', 'by', 'note', 'event', 'name', 'owner',
);
const event = fc.record(
  {
    eventId: fc.oneof(fc.constantFrom('', 'e'), fc.string({ minLength: 1, maxLength: 12 })),
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('teleport', '')),
    occurredAt: fc.constantFrom('2026-12-05T14:00:00Z', 'yesterday', undefined),
    data: fc.oneof(fc.dictionary(dataKeys, anyValue, { maxKeys: 4 }), fc.constant(undefined), fc.constant('text')),
  },
  { requiredKeys: ['type'] },
);

/** 150 generated events (fixed seed) as the workflow receives them: through JSON. */
function generatedEvents(): unknown[] {
  const events = fc
    .sample(event, { seed: 20261130, numRuns: 150 })
    .map((e, i) => JSON.parse(JSON.stringify({ ...e, eventId: `${e.eventId ?? ''}${i}` })) as unknown);
  expect(events.filter((e) => parseEvent(e).ok).length).toBeGreaterThan(10);
  return events;
}

/** Milestones completed by events (the welcome e-mail's is completed by its delivery, which the pure run has not). */
const byEvents = (id: string) => DEFAULT_PLAYBOOK.segments.core.milestones.find((m: { id: string }) => m.id === id)?.completion.kind !== 'notification_delivered';

describe('modules shared across cached workflows', () => {
  it('validate and apply generated events inside the sandbox as outside it, in two workflows in a row', async () => {
    const events = generatedEvents();
    const results = [];
    for (const run of [1, 2]) {
      const profile = profileFor('core', uniq(`shared-${run}`));
      const { handle, startedAt } = await startPartner(server.env, server.taskQueue, profile);
      for (const e of events) await handle.signal(partnerEventSignal, e);
      const state = await stateOf(handle);
      await handle.terminate('checked');

      // Outside the sandbox: the same events through the same pure domain and schemas.
      let expected = initState({ ...profile, contractSignedAt: new Date(startedAt).toISOString() }, DEFAULT_PLAYBOOK, startedAt);
      for (const e of events) expected = applyEvent(expected, e, startedAt);
      const view = toView(expected, startedAt);
      const strip = (list: { eventId: string; type: string; reason: string }[]) => list.map(({ eventId, type, reason }) => ({ eventId, type, reason }));
      expect(strip(state.rejectedEvents)).toEqual(strip(view.rejectedEvents));
      expect(state.rejectedEvents.length).toBeGreaterThan(50);
      const statuses = (list: { id: string; status: string }[]) =>
        list.filter((m) => byEvents(m.id)).map((m) => [m.id, m.status === 'done' || m.status === 'waived']);
      expect(statuses(state.milestones)).toEqual(statuses(view.milestones));
      expect(state.opportunities.map((o) => [o.opportunityId, o.status])).toEqual(view.opportunities.map((o) => [o.opportunityId, o.status]));
      expect(state.playbookVersion).toBe(DEFAULT_PLAYBOOK.version);
      results.push(strip(state.rejectedEvents));
    }
    expect(results[1]).toEqual(results[0]);
  });

  it('reject an invalid profile with the field errors', async () => {
    const handle = await server.env.client.workflow.start('partnerOnboarding', {
      taskQueue: server.taskQueue,
      workflowId: uniq('shared-bad-profile'),
      args: [{ partnerId: 'bad id', name: 'X', segment: 'core', role: 'sales', partnerManager: { name: 'M', email: 'nope' } }, {}],
    });
    await expect(handle.result()).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/^invalid PartnerProfile: partnerId: must match .*; partnerManager\.email: must be an e-mail address$/) },
    });
  });

  it('keep every partner on exactly the playbook it pinned, when playbooks are shared by version and hash', async () => {
    // The same version published with other content (another hash), as on another deployment.
    const a = JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK)) as Playbook;
    const b = JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK)) as Playbook;
    for (const m of b.segments.core.milestones) m.title = `${m.title} (B)`;
    const [hashA, hashB] = [playbookHash(a), playbookHash(b)];
    expect(hashB).not.toBe(hashA);
    // In this order on one worker: A is shared first; B under A's hash (a start input whose
    // hash does not match its content) must still run B; A and B again.
    const cases: [string, Playbook, string, boolean][] = [
      ['a1', a, hashA, false], ['b1', b, hashB, true], ['b-as-a', b, hashA, true], ['a2', a, hashA, false], ['b2', b, hashB, true],
    ];
    for (const [name, playbook, hash, isB] of cases) {
      const profile = profileFor('core', uniq(`pinned-${name}`));
      const handle = await server.env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: server.taskQueue,
        workflowId: onboardingWorkflowId(profile.partnerId),
        args: [profile, { playbook: JSON.parse(JSON.stringify(playbook)) as Playbook, playbookHash: hash }],
      });
      await handle.signal(partnerEventSignal, { eventId: `${name}-kickoff`, type: 'kickoff_completed' });
      const state = await stateOf(handle);
      await handle.terminate('checked');
      expect(state.playbookHash).toBe(hash);
      expect(state.milestones.length).toBeGreaterThan(5);
      for (const m of state.milestones) {
        expect([name, m.title.endsWith(' (B)')]).toEqual([name, isB]);
        expect(m.title).toBe(playbook.segments.core.milestones.find((d) => d.id === m.id)!.title);
      }
    }
  });
});
