/**
 * Property: no malformed body makes the API fail. Over 1,000 generated bodies
 * (arbitrary JSON, valid events and profiles with one field broken, mixed
 * batches, text that is not JSON) each get a 4xx naming the invalid fields,
 * never a 5xx. Malformed payloads signalled straight to the workflow (as any
 * system with Temporal access could) never fail a workflow task either.
 */
import fc from 'fast-check';
import { onboardingWorkflowId, partnerEventSignal } from '../../workflows/messages';
import { PartnerEvent, PartnerProfile, type OnboardingState } from '../../workflows/types';
import { KEYS, call, eventually, profile, startHarness, type Answer, type Harness } from './harness';

let h: Harness;
let partnerId: string;
beforeAll(async () => {
  h = await startHarness();
  const p = profile();
  expect((await call(h.api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
  partnerId = p.partnerId;
});
afterAll(() => h?.close());

const VALID_EVENTS: unknown[] = [
  { eventId: 'v-1', type: 'assessment_completed', occurredAt: '2026-12-05T14:00:00Z', data: { assessment: 'product', score: 84 } },
  { eventId: 'v-2', type: 'contacts_designated', data: { contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }] } },
  { eventId: 'v-3', type: 'checkpoint_decision', data: { decision: 'extend', days: 7, by: 'Dana' } },
  { eventId: 'v-4', type: 'deal_won', data: { opportunityId: 'opp-1', amount: 12000 } },
  { eventId: 'v-5', type: 'customer_engagement_completed', data: { kind: 'demo' } },
  { eventId: 'v-6', type: 'milestone_waived', data: { milestoneId: 'demo_shadowed', reason: 'done elsewhere' } },
];

/** Every path into a JSON value, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    return [p, ...paths(v, p)];
  });
}

/** A copy of `value` with the node at `path` replaced, or deleted when `replacement` is undefined. */
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** A valid value with one node broken: removed, or replaced by arbitrary JSON. */
const broken = (valid: unknown[]) =>
  fc
    .constantFrom(...valid)
    .chain((v) => fc.tuple(fc.constant(v), fc.constantFrom(...paths(v)), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined })))
    .map(([v, path, replacement]) => mutate(v, path, replacement));

const invalidEvent = fc.oneof(broken(VALID_EVENTS), fc.jsonValue({ maxDepth: 3 })).filter((e) => !PartnerEvent.safeParse(e).success);
const eventBodies = fc.oneof(
  { weight: 4, arbitrary: invalidEvent },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...VALID_EVENTS), invalidEvent), { minLength: 1, maxLength: 6 })
      .filter((batch) => batch.some((e) => !PartnerEvent.safeParse(e).success)),
  },
  { weight: 1, arbitrary: fc.constantFrom([], Array.from({ length: 101 }, () => VALID_EVENTS[0])) },
);

const VALID_PROFILES: unknown[] = [
  profile({ partnerId: 'fuzz-1', timezone: 'Europe/Berlin', contractSignedAt: '2026-11-27T09:00:00Z', experienced: true }),
  profile({ partnerId: 'fuzz-2', segment: 'strategic', partnerManager: { name: 'Kim', email: 'kim@vendor.example', slackUserId: 'U1' } }),
];
const profileBodies = fc
  .oneof(broken(VALID_PROFILES), fc.jsonValue({ maxDepth: 3 }))
  .filter((p) => !PartnerProfile.safeParse(p).success);

/** Text that is not JSON at all. */
const notJson = fc.string({ maxLength: 60 }).filter((text) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
});

function expectFieldErrors(answer: Answer, context: unknown): void {
  const body = answer.body as { error?: string; fields?: { field: unknown; message: unknown }[]; requestId?: unknown };
  const ok =
    answer.status === 400 &&
    typeof body.requestId === 'string' &&
    Array.isArray(body.fields) &&
    body.fields.length > 0 &&
    body.fields.every((f) => typeof f.field === 'string' && typeof f.message === 'string' && f.message.length > 0);
  if (!ok) throw new Error(`unexpected answer ${answer.status} ${JSON.stringify(body)} to ${JSON.stringify(context)}`);
}

it('answers every malformed body with a 400 naming fields, and signals nothing', async () => {
  const events = `/v1/partners/${partnerId}/events`;
  let requests = 0;
  const send = async (path: string, key: string, body: { body?: unknown; raw?: string }) => {
    requests++;
    const answer = await call(h.api, 'POST', path, { key, ...body });
    expectFieldErrors(answer, body);
  };

  await fc.assert(fc.asyncProperty(eventBodies, (body) => send(events, KEYS.system, { body })), { numRuns: 450 });
  await fc.assert(fc.asyncProperty(profileBodies, (body) => send('/v1/partners', KEYS.ops, { body })), { numRuns: 400 });
  await fc.assert(fc.asyncProperty(notJson, (raw) => send(events, KEYS.system, { raw })), { numRuns: 100 });
  await fc.assert(fc.asyncProperty(notJson, (raw) => send('/v1/partners', KEYS.ops, { raw })), { numRuns: 100 });
  expect(requests).toBeGreaterThanOrEqual(1000);

  const history = await h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId)).fetchHistory();
  expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
});

it('never fails a workflow task on malformed payloads signalled straight to Temporal', async () => {
  const handle = h.env.client.workflow.getHandle(onboardingWorkflowId(partnerId));
  const payloads = fc.sample(fc.oneof(invalidEvent, fc.jsonValue()), { numRuns: 200 });
  for (const payload of payloads) await handle.signal(partnerEventSignal, payload);
  // A valid event after them: once it is applied, every payload before it has been handled.
  await handle.signal(partnerEventSignal, { eventId: 'after-fuzz', type: 'kickoff_completed' });
  const state = await eventually(
    () => handle.query<OnboardingState>('onboardingState'),
    (s) => s.milestones.some((m) => m.id === 'kickoff_call' && m.status === 'done'),
  );
  expect(state.milestones.find((m) => m.id === 'kickoff_call')?.status).toBe('done');
  expect(state.rejectedEvents.length).toBeGreaterThan(0);

  const history = await handle.fetchHistory();
  expect((history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
  expect((await handle.describe()).status.name).toBe('RUNNING');
});
