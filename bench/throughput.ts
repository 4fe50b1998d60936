/**
 * Events per second from the HTTP API to applied in the workflow, against the
 * floor measured in the same run on the same server: raw client signals to an
 * empty signal-counting workflow (bench/baseline/workflows.ts).
 *
 *   npx tsx bench/throughput.ts [--partners 100] [--events 20] [--clients 16] [--rounds 3] [--warmup 1] [--mix journey|repeat] [--relay] [--cross] [--batch 1] [--profile] [--pin]
 *
 * One dev server configured like `npm start`'s. The product runs as it ships:
 * `npm run worker` (workers/worker.ts) and `npm run api` (client/api/server.ts),
 * each in a process of its own with the default configuration; the baseline
 * worker runs in a third process (bench/worker-process.ts). Each round:
 *   - floor: `partners` empty workflows; `clients` concurrent loops send each
 *     one `events` signals with the product's event payloads, straight from a
 *     Temporal client;
 *   - product: `partners` onboardings started through the API; `clients`
 *     concurrent HTTP clients (node:http, kept alive) POST the same events one
 *     per request (each client owns a set of partners, so each partner gets its
 *     events in order).
 * A run is over when every signal has been applied: no workflow has a workflow
 * task pending (DescribeWorkflowExecution, after the last send). The clock runs
 * from the first send to then. Afterwards every workflow is checked: the empty
 * ones counted every signal; each onboarding shows the milestones and
 * opportunities the pure domain computes for the same events (nothing lost).
 * The variants take turns at going first from round to round. Before the counted rounds,
 * `--warmup` rounds of every variant (default 1) run the same way and are only
 * reported on stderr: the first round through freshly started processes pays for
 * their JIT compilation (the API's and the clients' CPU per event was half as much
 * again as in later rounds), and no user's steady state looks like that.
 *
 * With --relay a third variant runs in each round: the floor's events sent as the
 * product's are, one HTTP request each, to a bare node:http server
 * (bench/baseline/relay.ts) that signals the empty workflow as the floor does.
 * Its ratio to the floor is what an HTTP hop costs by itself, the most any HTTP
 * intake can reach on these cores; the product's ratio to it is what the API's
 * work and the workflow's add. --cross (implies --relay) tells those two apart
 * with two more variants: the product's API in front of the empty workflow
 * (`api-floor`), and the relay in front of the product's workflow
 * (`relay-product`). Both send the same signal (`partnerEvent`) to the same
 * workflow id, so each intake can feed either workflow.
 *
 * With --batch N (1 to 100, default 1) every sender sends a partner's events N
 * at a time, in order: the HTTP variants POST them as one array (the API takes
 * up to 100 events per request and signals them in order), the floor sends the
 * same N raw signals back to back. Both sides then send in the same order, so
 * the ratio shows what the intake costs a system that batches (a CRM sync),
 * with the HTTP request paid once per N events.
 *
 * With --pin (Linux, taskset) the processes stop sharing every core: the Temporal
 * server and the workers run on all CPUs but the last, the API and this
 * process (the clients) on the last one, as when senders and API processes run
 * on machines of their own. Then the ratio measures what the server and the
 * workers do per event; without it, the API hop and the clients count too.
 *
 * With --profile the worker and API processes load bench/profile-hook.ts, and
 * their CPU profiles over each product round's timed window (the worker's
 * workflow thread has its own) are summarized after the round.
 * Besides events/s, it prints each process's CPU per event and their sum for
 * each variant. With every core busy, events/s follow CPU per event, so
 * `floor CPU vs product CPU` is the steadier ratio when the machine's speed
 * drifts between rounds (it did by a third within runs here). Each counted
 * round runs the two variants back to back; the lowest and highest of the
 * rounds' own ratios show how far one run's figure can be trusted, and their
 * median is the figure least moved by the machine's drift between rounds.
 * Prints figures; asserts nothing.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { accountWork, applyEvent, initState, recordSettlement, toView } from '../workflows/domain';
import { AccountBook } from '../client/preview/accountBook';
import { onboardingStateQuery, onboardingWorkflowId } from '../workflows/messages';
import { accountKey } from '../workflows/accounts/keys';
import { accountWorkflowId } from '../workflows/accounts/messages';
import type { PartnerEvent, PartnerProfile } from '../workflows/types';
import { BASELINE_WORKFLOW_TYPE, countedSignal, signalCountQuery } from './baseline/workflows';
import { printCpuSummary, summarizeCpuProfile } from './cpu-profile';
import {
  cpuSeconds,
  cpuSecondsByThread,
  findPid,
  ask,
  freePort,
  median,
  pinThreads,
  pool,
  ratio,
  ready,
  sleep,
  spawnTs,
  startBenchServer,
  stopChild,
  tempDir,
} from './support';

const { values } = parseArgs({
  options: {
    partners: { type: 'string', default: '100' },
    events: { type: 'string', default: '20' },
    clients: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
    mix: { type: 'string', default: 'journey' },
    relay: { type: 'boolean', default: false },
    cross: { type: 'boolean', default: false },
    batch: { type: 'string', default: '1' },
  },
});
if (values.mix !== 'journey' && values.mix !== 'repeat') throw new Error('--mix must be journey or repeat');
const PARTNERS = Number(values.partners);
const EVENTS = Number(values.events);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const BATCH = Number(values.batch);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds must be a whole number of 1 or more');
if (!(Number.isInteger(WARMUP) && WARMUP >= 0)) throw new Error('--warmup must be a whole number of 0 or more');
if (!(Number.isInteger(BATCH) && BATCH >= 1 && BATCH <= 100)) throw new Error('--batch must be a whole number from 1 to 100 (the API takes up to 100 events per request)');

/** An account of the partner's own: partners registering one account are channel conflicts (docs/accounts.md). */
const accountOf = (partnerId: string) => `Globex ${partnerId}`;

/**
 * Each partner's events, in order. `journey` (default): a core partner's
 * onboarding as its systems report it: milestones, opportunities, two phase
 * changes and their notifications. `repeat`: the same event again and again under
 * new ids (community_event_attended, as bench/api-latency.ts's burst sends): the
 * first completes a milestone, the rest change nothing but the seen ids, so it
 * measures the path from the API into the workflow alone.
 */
function journey(partnerId: string): PartnerEvent[] {
  const id = (n: string) => `${partnerId}-${n}`;
  const account = accountOf(partnerId);
  if (values.mix === 'repeat') return Array.from({ length: EVENTS }, (_, i) => ({ eventId: id(`community-${i}`), type: 'community_event_attended' }));
  const all: PartnerEvent[] = [
    { eventId: id('kickoff'), type: 'kickoff_completed' },
    { eventId: id('portal'), type: 'portal_access_granted', data: { systems: ['portal', 'training', 'deal_registration'] } },
    { eventId: id('profile'), type: 'profile_completed' },
    { eventId: id('contacts'), type: 'contacts_designated', data: { contacts: [{ role: 'technical', name: 'Kim Lee', email: 'kim@partner.example' }] } },
    { eventId: id('agreements'), type: 'agreements_signed', data: { agreements: ['nda', 'data-sharing'] } },
    { eventId: id('b101'), type: 'training_completed', data: { module: 'business_101' } },
    { eventId: id('opp-identified'), type: 'opportunity_identified', data: { opportunityId: 'opp-1', account } },
    { eventId: id('product'), type: 'training_completed', data: { module: 'product' } },
    { eventId: id('assessment'), type: 'assessment_completed', data: { assessment: 'product', score: 88 } },
    { eventId: id('demo'), type: 'demo_shadowed' },
    { eventId: id('opp-registered'), type: 'opportunity_registered', data: { opportunityId: 'opp-1', account, amount: 40000 } },
    { eventId: id('opp-ack'), type: 'opportunity_acknowledged', data: { opportunityId: 'opp-1', owner: 'ae@vendor.example' } },
    { eventId: id('co-selling'), type: 'training_completed', data: { module: 'co_selling' } },
    { eventId: id('opp-qualified'), type: 'opportunity_qualified', data: { opportunityId: 'opp-1' } },
    { eventId: id('engagement'), type: 'customer_engagement_completed', data: { opportunityId: 'opp-1', kind: 'meeting' } },
    { eventId: id('certification'), type: 'certification_completed', data: { track: 'sales', passed: true, score: 91 } },
    { eventId: id('practical'), type: 'practical_completed', data: { kind: 'role play' } },
    { eventId: id('community'), type: 'community_event_attended', data: { event: 'partner webinar' } },
    { eventId: id('team'), type: 'extended_team_met', data: { team: 'marketing' } },
    { eventId: id('survey'), type: 'survey_completed', data: { score: 9 } },
  ];
  return Array.from({ length: EVENTS }, (_, i) => (i < all.length ? all[i]! : { eventId: id(`extra-${i}`), type: 'community_event_attended' }));
}

function profile(partnerId: string): PartnerProfile {
  return {
    partnerId,
    name: `Throughput ${partnerId}`,
    segment: 'core',
    role: 'sales',
    timezone: 'UTC',
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA' },
    contacts: [{ role: 'sales', name: 'Lee Park', email: 'lee@partner.example' }],
  };
}

/** Each client's sends: its partners' events, `--batch` at a time, round-robin over its partners, each partner's in order. */
function schedule(partnerIds: string[]): { partnerId: string; events: PartnerEvent[] }[][] {
  return Array.from({ length: CLIENTS }, (_, c) => {
    const mine = partnerIds.filter((_, i) => i % CLIENTS === c).map((p) => ({ partnerId: p, events: journey(p) }));
    const out: { partnerId: string; events: PartnerEvent[] }[] = [];
    for (let n = 0; n < EVENTS; n += BATCH) for (const m of mine) out.push({ partnerId: m.partnerId, events: m.events.slice(n, n + BATCH) });
    return out;
  });
}

/** One request's body: a single event as an object (as systems send one), several as an array. */
const eventsBody = (events: PartnerEvent[]): PartnerEvent | PartnerEvent[] => (events.length === 1 ? events[0]! : events);

/** A round's name as part of a partner id ("warm-up 1" -> "warm-up-1"). */
const slug = (round: string) => round.replace(/[^A-Za-z0-9]+/g, '-');

/** Until no workflow has a workflow task pending; returns when that was first seen for the last one. */
async function untilApplied(client: Client, workflowIds: string[], activitiesToo = false): Promise<number> {
  let pending = [...workflowIds];
  for (;;) {
    const still: string[] = [];
    await pool(pending, 16, async (workflowId) => {
      const d = await client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } });
      if (d.pendingWorkflowTask || (activitiesToo && d.pendingActivities?.length)) still.push(workflowId);
    });
    if (!still.length) return performance.now();
    pending = still;
    await sleep(20);
  }
}

/** Switches the CPU profiler of a variant's processes on, and off (writing and returning their profiles), around the timed window. */
type Profiling = { start(): Promise<void>; stop(): Promise<string[]> } | undefined;

async function printProfiles(title: string, profiling: Profiling): Promise<void> {
  for (const file of (await profiling?.stop()) ?? []) printCpuSummary(`${title}: ${file}`, summarizeCpuProfile(file, 25));
}

interface RoundResult {
  eventsPerSecond: number;
  seconds: number;
  verified: string;
  /** CPU ms per event in each process during the timed window. */
  cpu: Record<string, number>;
  /** What the server stored per partner (mean over the round's histories): ./serverWork. */
  work: Record<string, number>;
}

const T = temporal.api.enums.v1.EventType;
const WORK_KINDS: [string, (e: temporal.api.history.v1.IHistoryEvent) => boolean][] = [
  ['signals', (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED],
  ['workflow tasks', (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED],
  ['activities', (e) => e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
  ['timers', (e) => e.eventType === T.EVENT_TYPE_TIMER_STARTED],
  ['search-attribute upserts', (e) => e.eventType === T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES],
  ['memo upserts', (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED],
];

/**
 * What the server did for each partner, read back from the histories: what each
 * workflow stored (history events, and those of the kinds above), plus, for the
 * product, the account registry workflows its registrations started and what
 * they stored. The CPU figures follow from these: the floor's history is one
 * signal and one workflow task per event; the product's adds the rest.
 */
async function serverWork(client: Client, workflowIds: string[], registryIds: string[] = []): Promise<Record<string, number>> {
  const total: Record<string, number> = { 'history events': 0, ...Object.fromEntries(WORK_KINDS.map(([k]) => [k, 0])) };
  const histories = async (ids: string[]) => {
    const found: temporal.api.history.v1.IHistoryEvent[][] = [];
    await pool(ids, 16, async (workflowId) => {
      try {
        found.push((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    });
    return found;
  };
  for (const events of await histories(workflowIds)) {
    total['history events']! += events.length;
    for (const e of events) for (const [kind, is] of WORK_KINDS) if (is(e)) total[kind]! += 1;
  }
  if (registryIds.length) {
    const registries = await histories(registryIds);
    total['account registries started'] = registries.length;
    total['registry history events'] = registries.reduce((n, events) => n + events.length, 0);
  }
  return Object.fromEntries(Object.entries(total).map(([k, v]) => [k, Math.round((v / workflowIds.length) * 10) / 10]));
}

/** The processes whose CPU is accounted: name -> pid (0: this process). */
type Processes = Record<string, number>;

function cpuNow(processes: Processes): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(processes)) {
    if (pid === 0) {
      const u = process.cpuUsage();
      out[name] = (u.user + u.system) / 1e6;
    } else if (name.startsWith('worker:')) {
      out[name] = cpuSecondsByThread(pid)[name.slice('worker:'.length)] ?? 0;
    } else out[name] = cpuSeconds(pid);
  }
  return out;
}

function cpuPerEvent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const events = PARTNERS * EVENTS;
  return Object.fromEntries(Object.keys(after).map((k) => [k, Math.round(((after[k]! - before[k]!) * 1000 * 100) / events) / 100]));
}

/**
 * A round of `partners` empty workflows, each sent its events as raw client
 * signals (the floor), or through `intake`: one POST each to the bare relay
 * (bench/baseline/relay.ts), or to the product's API, which signal them the
 * same way.
 */
async function floorRound(
  client: Client,
  taskQueue: string,
  round: string,
  processes: Processes,
  profiling: Profiling,
  intake?: { variant: Variant; url: string },
): Promise<RoundResult> {
  const ids = Array.from({ length: PARTNERS }, (_, i) => `tp-${intake?.variant ?? 'floor'}-${slug(round)}-${i}`);
  await pool(ids, 16, async (partnerId) => {
    await client.workflow.start(BASELINE_WORKFLOW_TYPE, { taskQueue, workflowId: onboardingWorkflowId(partnerId), args: [] });
  });
  await untilApplied(client, ids.map(onboardingWorkflowId));
  const send = intake
    ? (partnerId: string, events: PartnerEvent[]) => post(`${intake.url}/v1/partners/${partnerId}/events`, eventsBody(events))
    : async (partnerId: string, events: PartnerEvent[]) => {
        const handle = client.workflow.getHandle(onboardingWorkflowId(partnerId));
        if (events.length === 1) return handle.signal(countedSignal, events[0]!); // one event: the signal, as before --batch
        for (const event of events) await handle.signal(countedSignal, event);
      };
  await profiling?.start();
  const cpu0 = cpuNow(processes);
  const t0 = performance.now();
  await Promise.all(
    schedule(ids).map(async (sends) => {
      for (const { partnerId, events } of sends) await send(partnerId, events);
    }),
  );
  const t1 = await untilApplied(client, ids.map(onboardingWorkflowId));
  const cpu = cpuPerEvent(cpu0, cpuNow(processes));
  await printProfiles(`round ${round} ${intake?.variant ?? 'floor'}`, profiling);
  const counts = await Promise.all(ids.map((p) => client.workflow.getHandle(onboardingWorkflowId(p)).query(signalCountQuery)));
  const wrong = counts.filter((n) => n !== EVENTS).length;
  const work = await serverWork(client, ids.map(onboardingWorkflowId));
  await pool(ids, 16, (p) => client.workflow.getHandle(onboardingWorkflowId(p)).terminate('bench round over').then(() => undefined));
  const seconds = (t1 - t0) / 1000;
  return { eventsPerSecond: (PARTNERS * EVENTS) / seconds, seconds, verified: wrong ? `${wrong} workflows missed signals` : `all ${PARTNERS} counted ${EVENTS}`, cpu, work };
}

/**
 * The milestones (completed by events) and opportunities each onboarding must show after the journey.
 * Registrations go to the account registry (the same pure registry, in memory) as the workflow sends them.
 */
function expected(partnerId: string): string {
  const now = Date.now();
  const registry = new AccountBook();
  registry.join(partnerId, () => undefined);
  let s = initState(profile(partnerId), DEFAULT_PLAYBOOK, now);
  for (const e of journey(partnerId)) {
    s = applyEvent(s, e, now);
    const work = accountWork(s);
    if (work) s = recordSettlement(s, work, registry.settle(work, now), now);
  }
  return fingerprint(toView(s, now));
}

function fingerprint(view: ReturnType<typeof toView>): string {
  const byEvents = (id: string) => DEFAULT_PLAYBOOK.segments.core.milestones.find((m: { id: string }) => m.id === id)?.completion.kind !== 'notification_delivered';
  const done = view.milestones.filter((m) => byEvents(m.id) && (m.status === 'done' || m.status === 'waived')).map((m) => m.id);
  return JSON.stringify([view.phase, done.sort(), view.opportunities.map((o) => `${o.opportunityId}:${o.status}`), view.rejectedEvents.length]);
}


/**
 * The senders' HTTP client: node:http over kept-alive connections, one per
 * concurrent client. The senders stand for the LMS, the CRM and the portal,
 * which run on machines of their own, so on this one they should cost as little
 * as the floor's senders (the Temporal client's gRPC channel). In the runs of
 * 2026-12-01, Node's global fetch cost 0.59-0.70 ms of CPU per event, node:http
 * 0.18-0.28, the gRPC senders 0.34-0.67 (docs/operations.md, "Throughput").
 */
const senders = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

/** POSTs `body` as JSON; rejects unless the answer is 2xx. */
function post(url: string, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: senders, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`POST ${url}: HTTP ${status}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A round of `partners` onboardings started through the API, sent their events through it (or, with `relay`, through the bare relay). */
async function productRound(client: Client, api: string, round: string, processes: Processes, profiling: Profiling, relay?: string): Promise<RoundResult> {
  const ids = Array.from({ length: PARTNERS }, (_, i) => `tp-${relay ? 'relay-product' : 'product'}-${slug(round)}-${i}`);
  await pool(ids, 16, (partnerId) => post(`${api}/v1/partners`, profile(partnerId)));
  await untilApplied(client, ids.map(onboardingWorkflowId), true); // welcome e-mails out of the way
  await profiling?.start();
  const cpu0 = cpuNow(processes);
  const t0 = performance.now();
  await Promise.all(
    schedule(ids).map(async (sends) => {
      for (const { partnerId, events } of sends) await post(`${relay ?? api}/v1/partners/${partnerId}/events`, eventsBody(events));
    }),
  );
  const t1 = await untilApplied(client, ids.map(onboardingWorkflowId));
  const cpu = cpuPerEvent(cpu0, cpuNow(processes));
  await printProfiles(`round ${round} product`, profiling);
  // Before comparing: the account registries' answers to the registrations, and the notifications, settled.
  await untilApplied(client, ids.map(onboardingWorkflowId), true);
  let wrong = 0;
  await pool(ids, 16, async (partnerId) => {
    const state = await client.workflow.getHandle(onboardingWorkflowId(partnerId)).query(onboardingStateQuery);
    if (fingerprint(state) !== expected(partnerId)) wrong += 1;
  });
  const registries = values.mix === 'journey' ? ids.map((p) => accountWorkflowId(accountKey({ account: accountOf(p) })!.key)) : [];
  const work = await serverWork(client, ids.map(onboardingWorkflowId), registries);
  await pool(ids, 16, (p) => client.workflow.getHandle(onboardingWorkflowId(p)).terminate('bench round over').then(() => undefined));
  const seconds = (t1 - t0) / 1000;
  return { eventsPerSecond: (PARTNERS * EVENTS) / seconds, seconds, verified: wrong ? `${wrong} onboardings differ from the domain` : `all ${PARTNERS} as the domain computes`, cpu, work };
}

/** --pin: the server and the workers on all CPUs but the last; the API and the clients on the last. Says where. */
function pinProcesses(backend: number[], front: number[]): string {
  const cpus = os.availableParallelism();
  if (cpus < 2) throw new Error(`--pin needs at least 2 CPUs; this machine has ${cpus}`);
  const back = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const last = String(cpus - 1);
  for (const pid of backend) pinThreads(pid, back);
  for (const pid of front) pinThreads(pid, last);
  return `the server and the workers on CPU ${back}, the API and the clients on CPU ${last}`;
}

async function waitHealthy(api: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${api}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the API at ${api} did not become healthy`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const profileDir = values.profile ? tempDir('bench-cpu') : undefined;
  const nodeArgs = profileDir ? ['--import', path.join(__dirname, 'profile-hook.mjs')] : [];
  const productQueue = 'throughput-product';
  const floorQueue = 'throughput-floor';
  const httpPort = await freePort();
  const api = `http://127.0.0.1:${httpPort}`;
  const dataDir = tempDir('bench-throughput-data');
  const common = { TEMPORAL_ADDRESS: server.address, DATA_DIR: dataDir };
  const log = (name: string) => path.join(dataDir, `${name}.log`);
  const worker = spawnTs('bin/worker.js', { nodeArgs, log: log('worker'), env: { ...common, TEMPORAL_TASK_QUEUE: productQueue } });
  const apiProcess = spawnTs('client/api/server.ts', {
    nodeArgs,
    log: log('api'),
    env: { ...common, TEMPORAL_TASK_QUEUE: productQueue, HTTP_PORT: String(httpPort) },
  });
  const floorWorker = spawnTs('bench/worker-process.js', {
    nodeArgs,
    log: log('floor-worker'),
    env: { ...common, BENCH_VARIANT: 'baseline', TEMPORAL_TASK_QUEUE: floorQueue },
  });
  const relayPort = values.relay || values.cross ? await freePort() : 0;
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const relayProcess = relayPort
    ? spawnTs('bench/baseline/relay.ts', { nodeArgs, log: log('relay'), env: { TEMPORAL_ADDRESS: server.address, HTTP_PORT: String(relayPort) } })
    : undefined;
  process.stderr.write(`logs of the worker, the API${relayProcess ? ', the relay' : ''} and the floor worker in ${dataDir}\n`);
  const rows: Record<string, string | number>[] = [];
  const cpuRows: Record<string, Record<string, number>> = {};
  const workRows: Record<string, Record<string, number>> = {};
  try {
    await Promise.all([waitHealthy(api), ready(floorWorker, 'floor worker'), ...(relayProcess ? [ready(relayProcess, 'relay')] : [])]);
    const serverPid = findPid(server.dbFile) ?? -1;
    let placement = 'every process on every CPU';
    if (values.pin) {
      if (serverPid < 0) throw new Error('--pin: the Temporal server process was not found');
      placement = pinProcesses([serverPid, worker.pid!, floorWorker.pid!], [apiProcess.pid!, ...(relayProcess ? [relayProcess.pid!] : []), process.pid]);
      process.stderr.write(`pinned: ${placement}\n`);
    }
    const profiling = (children: ChildProcess[]): Profiling =>
      profileDir
        ? {
            start: async () => {
              await Promise.all(children.map((p) => ask(p, { cmd: 'profile-start' })));
            },
            stop: async () => {
              const replies = await Promise.all(children.map((p) => ask<{ files: string[] }>(p, { cmd: 'profile-stop', dir: profileDir })));
              return replies.flatMap((r) => r.files);
            },
          }
        : undefined;
    const threads = Object.keys(cpuSecondsByThread(worker.pid!));
    const serverProcess: Processes = { 'temporal server': serverPid };
    const emptyWorker: Processes = { 'floor worker': floorWorker.pid! };
    const productWorker: Processes = { 'npm run worker': worker.pid!, ...Object.fromEntries(threads.map((t) => [`worker:${t}`, worker.pid!])) };
    const apiIntake: Processes = { 'npm run api': apiProcess.pid! };
    const relayIntake: Processes = relayProcess ? { 'relay (bare HTTP)': relayProcess.pid! } : {};
    const bench: Processes = { 'bench (client)': 0 };
    // Each variant: how its events go in, which workflow applies them, and the processes whose CPU it costs.
    const run: Record<Variant, (round: string, warm: boolean) => Promise<RoundResult>> = {
      floor: (round, warm) => floorRound(client, floorQueue, round, { ...serverProcess, ...emptyWorker, ...bench }, warm ? undefined : profiling([floorWorker])),
      relay: (round, warm) =>
        floorRound(client, floorQueue, round, { ...serverProcess, ...relayIntake, ...emptyWorker, ...bench }, warm ? undefined : profiling([floorWorker]), { variant: 'relay', url: relayUrl }),
      product: (round, warm) =>
        productRound(client, api, round, { ...serverProcess, ...apiIntake, ...productWorker, ...bench }, warm ? undefined : profiling([worker, apiProcess])),
      'api-floor': (round) => floorRound(client, floorQueue, round, { ...serverProcess, ...apiIntake, ...emptyWorker, ...bench }, undefined, { variant: 'api-floor', url: api }),
      'relay-product': (round) => productRound(client, api, round, { ...serverProcess, ...relayIntake, ...productWorker, ...bench }, undefined, relayUrl),
    };
    const variants: Variant[] = values.cross ? ['floor', 'relay', 'product', 'api-floor', 'relay-product'] : values.relay ? ['floor', 'relay', 'product'] : ['floor', 'product'];
    const eventsPerSecond = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    // CPU ms per event over every process of the variant (the worker's threads are already in its process).
    const cpuTotal = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    for (let n = 1 - WARMUP; n <= ROUNDS; n++) {
      const warm = n < 1;
      const round = warm ? `warm-up ${n + WARMUP}` : String(n);
      // Each variant takes each place in the order in turn.
      const shift = (((n - 1) % variants.length) + variants.length) % variants.length;
      for (const variant of [...variants.slice(shift), ...variants.slice(0, shift)]) {
        process.stderr.write(`round ${round}: ${variant}, ${PARTNERS} x ${EVENTS} events, ${CLIENTS} clients...\n`);
        const r = await run[variant](round, warm);
        if (warm) {
          process.stderr.write(`round ${round}: ${variant} ${Math.round(r.eventsPerSecond)} events/s (${r.verified}); not counted\n`);
          continue;
        }
        eventsPerSecond[variant].push(r.eventsPerSecond);
        const total = Object.entries(r.cpu).reduce((sum, [name, ms]) => (name.startsWith('worker:') ? sum : sum + ms), 0);
        cpuTotal[variant].push(total);
        cpuRows[`${variant} round ${round}`] = { ...r.cpu, 'all processes': Math.round(total * 100) / 100 };
        workRows[`${variant} round ${round}`] = r.work;
        rows.push({ round, variant: VARIANT_NAMES[variant], 'events/s': Math.round(r.eventsPerSecond), seconds: r.seconds.toFixed(2), check: r.verified });
      }
    }
    const floor = eventsPerSecond.floor;
    const product = eventsPerSecond.product;
    // Each round's own ratios: the variants of a round ran back to back.
    const eventRatios = product.map((p, i) => p / floor[i]!);
    const cpuRatios = (v: Variant) => cpuTotal[v].map((c, i) => cpuTotal.floor[i]! / c);
    console.log(
      `\nthroughput: ${PARTNERS} partners x ${EVENTS} events (${values.mix}${BATCH > 1 ? `, ${BATCH} per request` : ''}), ${CLIENTS} concurrent clients, ${ROUNDS} rounds after ${WARMUP} warm-up, one dev server (${server.address}); ${placement}`,
    );
    console.table(rows);
    console.log('CPU ms per event, by process (and by thread of the product worker: "node main" runs the activities, "node other" the workflow code and V8 helpers), during the timed window:');
    console.table(cpuRows);
    console.log(`What the server stored per partner (${EVENTS} events each), from the round's histories:`);
    console.table(workRows);
    console.table({
      median: {
        'floor events/s': Math.round(median(floor)),
        'product events/s': Math.round(median(product)),
        'product vs floor': ratio(median(product), median(floor)),
        'floor CPU ms/event': median(cpuTotal.floor).toFixed(2),
        'product CPU ms/event': median(cpuTotal.product).toFixed(2),
        'floor CPU vs product CPU': ratio(median(cpuTotal.floor), median(cpuTotal.product)),
      },
      // Each round ran the variants back to back: how far its own ratios spread.
      'rounds, lowest-highest': { 'product vs floor': spread(eventRatios), 'floor CPU vs product CPU': spread(cpuRatios('product')) },
      // The median of the rounds' own ratios: each pairs variants run back to back, so the machine's drift between rounds cancels.
      'rounds, median of their ratios': { 'product vs floor': ratio(median(eventRatios), 1), 'floor CPU vs product CPU': ratio(median(cpuRatios('product')), 1) },
    });
    console.log(
      'On a machine whose cores are all busy, events/s follow CPU per event: the last column is the ratio the machine would give the product, steadier than events/s when its speed drifts between rounds.',
    );
    if (variants.length > 2) {
      // Every variant against the floor, in the same rounds.
      console.table(
        Object.fromEntries(
          variants.map((v) => [
            VARIANT_NAMES[v],
            {
              'events/s': Math.round(median(eventsPerSecond[v])),
              'vs floor': ratio(median(eventsPerSecond[v]), median(floor)),
              'CPU ms/event': median(cpuTotal[v]).toFixed(2),
              'floor CPU vs its CPU': ratio(median(cpuTotal.floor), median(cpuTotal[v])),
              'rounds, lowest-highest': spread(cpuRatios(v)),
              'rounds, median': ratio(median(cpuRatios(v)), 1),
            },
          ]),
        ),
      );
      console.log(
        'relay: a bare node:http server (bench/baseline/relay.ts: no framework, validation, authentication, log line or metrics) that signals each event as the floor does. Its "floor CPU vs its CPU" is the most an HTTP intake reaches against the floor on these cores.',
      );
    }
  } finally {
    await Promise.all([stopChild(apiProcess), stopChild(worker), stopChild(floorWorker), ...(relayProcess ? [stopChild(relayProcess)] : [])]);
    await connection.close();
    await server.stop();
  }
}

type Variant = 'floor' | 'relay' | 'product' | 'api-floor' | 'relay-product';

const VARIANT_NAMES: Record<Variant, string> = {
  floor: 'floor: raw signals, empty workflow',
  relay: 'relay: bare HTTP, raw signals, empty workflow',
  product: 'product: POST /events, partnerOnboarding',
  'api-floor': "api-floor: the product's API, empty workflow",
  'relay-product': 'relay-product: bare HTTP, partnerOnboarding',
};

/** The lowest and the highest of some ratios, as `0.81-1.00x`. */
function spread(ratios: number[]): string {
  return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
