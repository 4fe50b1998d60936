/**
 * The typed client against the real dev server and worker: idempotent starts,
 * events to unknown and ended onboardings, lists from visibility, and the
 * timeline across a continue-as-new chain.
 */
import { OnboardingClient, startOnboarding } from '../../client/onboardingClient';
import { PartnerNotFoundError, ProfileConflictError } from '../../client/errors';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { onboardingWorkflowId } from '../../workflows/messages';
import type { PartnerEvent } from '../../workflows/types';
import { eventually, profile, startHarness, type Harness } from '../api/harness';
import { uniq } from '../helpers/temporal';

let h: Harness;
let client: OnboardingClient;
beforeAll(async () => {
  h = await startHarness();
  client = new OnboardingClient(h.env.client, { taskQueue: h.taskQueue, playbook: DEFAULT_PLAYBOOK });
});
afterAll(() => h?.close());

it('starts once per partnerId: concurrent identical starts create one, a different profile conflicts', async () => {
  const p = profile();
  const options = { taskQueue: h.taskQueue, playbook: DEFAULT_PLAYBOOK };
  const results = await Promise.all(Array.from({ length: 10 }, () => startOnboarding(h.env.client, options, p)));
  expect(results.filter((r) => r.created)).toHaveLength(1);
  expect(new Set(results.map((r) => r.runId)).size).toBe(1);
  await expect(client.start({ ...p, name: 'Another Name' })).rejects.toBeInstanceOf(ProfileConflictError);
});

it('refuses events for an unknown partner and for one whose onboarding has ended', async () => {
  await expect(client.sendEvents(uniq('nobody'), [{ eventId: 'e', type: 'kickoff_completed', data: undefined }])).rejects.toBeInstanceOf(
    PartnerNotFoundError,
  );
  await expect(client.state(uniq('nobody'))).rejects.toBeInstanceOf(PartnerNotFoundError);

  const p = profile({ partnerManager: { name: 'Off', email: `${uniq('off')}@vendor.example` } });
  await client.start(p);
  await client.sendEvents(p.partnerId, [{ eventId: 'bye', type: 'offboarded', data: { reason: 'no fit' } }]);
  await h.env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId)).result();

  await expect(client.sendEvents(p.partnerId, [{ eventId: 'late', type: 'kickoff_completed', data: undefined }])).rejects.toBeInstanceOf(
    PartnerNotFoundError,
  );
  expect((await client.state(p.partnerId)).phase).toBe('offboarded');
  const listed = await eventually(
    () => client.list({ manager: p.partnerManager.email, phase: 'offboarded' }),
    (page) => page.partners.length === 1,
  );
  expect(listed.partners[0]).toMatchObject({ partnerId: p.partnerId, status: 'completed', closedAt: expect.any(String) });
  const timeline = await client.timeline(p.partnerId);
  expect(timeline.entries[timeline.entries.length - 1]).toMatchObject({ kind: 'closed', status: 'completed' });

  // The onboarding ended: the same partner may be onboarded again.
  expect((await client.start(p)).created).toBe(true);
});

it('follows a continue-as-new chain: one summary, idempotent start, a timeline over every run', async () => {
  const p = profile({ partnerManager: { name: 'Long', email: `${uniq('long')}@vendor.example` } });
  await client.start(p);
  const handle = h.env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId));
  const firstRunId = (await handle.describe()).runId;

  // Enough events to pass the workflow's history limit (it continues as new before 4,000 events); the
  // workflow may lag behind the signals on a loaded machine, so wait for it rather than send more.
  let n = 0;
  while (n < 4_100 && (await handle.describe()).runId === firstRunId) {
    const batch: PartnerEvent[] = Array.from({ length: 100 }, () => ({ eventId: `e-${n++}`, type: 'community_event_attended', data: {} }));
    await client.sendEvents(p.partnerId, batch);
    // A query is answered once the workflow has taken in what came before it: the batches stay
    // small activations instead of one of thousands of signals on a loaded machine.
    await client.state(p.partnerId);
  }
  await eventually(() => handle.describe(), (d) => d.runId !== firstRunId, 60_000);
  await client.sendEvents(p.partnerId, [{ eventId: 'e-0', type: 'community_event_attended', data: {} }]);

  expect(await client.start(p)).toMatchObject({ created: false });
  const listed = await eventually(
    () => client.list({ manager: p.partnerManager.email }),
    (page) => page.partners.length === 1 && page.partners[0].runId !== firstRunId,
  );
  expect(listed.partners).toHaveLength(1);

  const timeline = await eventually(
    () => client.timeline(p.partnerId),
    (t) => t.entries.some((e) => e.kind === 'event' && e.eventId === 'e-0' && e.outcome === 'duplicate'),
  );
  expect(timeline.runIds.length).toBeGreaterThanOrEqual(2);
  expect(timeline.runIds[0]).toBe(firstRunId);
  expect(timeline.entries.filter((e) => e.kind === 'started')).toHaveLength(1);
  expect(timeline.entries).toContainEqual(expect.objectContaining({ kind: 'continued_as_new', runId: firstRunId, newRunId: timeline.runIds[1] }));
  const events = timeline.entries.filter((e) => e.kind === 'event');
  expect(events).toHaveLength(n + 1);
  expect(events.filter((e) => e.outcome === 'accepted')).toHaveLength(n);
});

it('shows the partner in the Temporal UI: a static summary at start, current details kept up to date, timers that say why', async () => {
  // Signed 31 days ago: the foundation checkpoint awaits a decision at once.
  const p = profile({ name: 'Acme UI GmbH', contractSignedAt: new Date(Date.now() - 31 * 24 * 3600_000).toISOString() });
  await client.start(p);
  const handle = h.env.client.workflow.getHandle(onboardingWorkflowId(p.partnerId));
  const description = await handle.describe();
  expect(await description.staticSummary()).toBe('Acme UI GmbH · core partner · sales track');
  expect(await description.staticDetails()).toContain('Manager: Dana Ruiz <dana@vendor.example>');

  // What the UI reads: the SDK's metadata query (no command, no billed action for the workflow).
  const details = async () => (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
  const before = await eventually(details, (d) => d.includes('checkpoint awaits a decision'));
  expect(before).toMatch(/^\*\*Acme UI GmbH\*\* · core · sales track\nPhase \*\*foundation\*\* · health \*\*(behind|at risk)\*\* · checkpoint awaits a decision\nDay 31 \(as of /);
  expect(before).toMatch(/ · foundation ends \d{4}-\d\d-\d\d \d\d:\d\d UTC\nNext due: [^\n]+, \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

  await client.decide(p.partnerId, { decision: 'advance', by: 'Dana' });
  const after = await eventually(details, (d) => d.includes('Phase **activation**'));
  expect(after).not.toContain('awaits a decision');

  const history = await handle.fetchHistory();
  const summaries = await Promise.all(
    (history.events ?? [])
      .filter((e) => e.timerStartedEventAttributes)
      .map(async (e) => h.env.client.options.loadedDataConverter.payloadConverter.fromPayload<string>(e.userMetadata!.summary!)),
  );
  expect(summaries.length).toBeGreaterThan(0);
  for (const summary of summaries) expect(summary).toMatch(/^until \d{4}-\d\d-\d\d \d\d:\d\d UTC: .+/);
});
