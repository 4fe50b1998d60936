/**
 * API throughput and event-to-state latency against a running system (`npm start`).
 *
 *   ONBOARDING_API_URL=http://127.0.0.1:3000 ONBOARDING_API_KEY=<key with ops, system and manager roles> \
 *     npx tsx bench/api-latency.ts [--partners 20] [--rate 20] [--seconds 30] [--burst-seconds 10] [--concurrency 16]
 *
 * 1. starts N partners;
 * 2. steady phase: POSTs one event every 1/rate s (round-robin over the partners) and,
 *    for each, polls GET state until the change shows: latency from POST to visible state;
 * 3. burst phase: `concurrency` clients POST single events back to back: accepted events/s.
 *
 * Prints figures; it asserts nothing. Every poll is a Temporal query, so the
 * steady phase also measures the cost of reading state under load.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    partners: { type: 'string', default: '20' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    'burst-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
});
const PARTNERS = Number(values.partners);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BURST_SECONDS = Number(values['burst-seconds']);
const CONCURRENCY = Number(values.concurrency);
const POLL_MS = 10;

const BASE = (process.env.ONBOARDING_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const HEADERS = {
  'content-type': 'application/json',
  ...(process.env.ONBOARDING_API_KEY ? { authorization: `Bearer ${process.env.ONBOARDING_API_KEY}` } : {}),
};
const RUN = randomUUID().slice(0, 8);

async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${BASE}${path}`, { method, headers: HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(samples: number[]): Record<string, string> {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return {
    n: String(sorted.length),
    p50: at(50).toFixed(1),
    p95: at(95).toFixed(1),
    p99: at(99).toFixed(1),
    max: (sorted[sorted.length - 1] ?? NaN).toFixed(1),
  };
}

async function startPartners(): Promise<string[]> {
  const ids = Array.from({ length: PARTNERS }, (_, i) => `bench-${RUN}-${i}`);
  for (const partnerId of ids) {
    const { status, json } = await request('POST', '/v1/partners', {
      partnerId,
      name: `Bench Partner ${partnerId}`,
      segment: 'core',
      role: 'sales',
      partnerManager: { name: 'Bench Manager', email: 'bench-manager@vendor.example' },
    });
    if (status !== 201) throw new Error(`starting ${partnerId}: HTTP ${status} ${JSON.stringify(json)}`);
  }
  return ids;
}

/** POST an opportunity_identified event, then poll state until the opportunity shows. */
async function observedEvent(partnerId: string, n: number): Promise<{ postMs: number; visibleMs: number } | string> {
  const opportunityId = `opp-${RUN}-${n}`;
  const t0 = performance.now();
  const posted = await request('POST', `/v1/partners/${partnerId}/events`, {
    eventId: `steady-${RUN}-${n}`,
    type: 'opportunity_identified',
    data: { opportunityId },
  });
  const postMs = performance.now() - t0;
  if (posted.status !== 202) return `POST ${posted.status}`;
  for (;;) {
    const { status, json } = await request('GET', `/v1/partners/${partnerId}`);
    if (status !== 200) return `GET ${status}`;
    const state = json as { opportunities: { opportunityId: string }[] };
    if (state.opportunities.some((o) => o.opportunityId === opportunityId)) return { postMs, visibleMs: performance.now() - t0 };
    if (performance.now() - t0 > 30_000) return 'not visible within 30 s';
    await sleep(POLL_MS);
  }
}

async function steadyPhase(partners: string[]) {
  const total = Math.round(RATE * SECONDS);
  const started = performance.now();
  const pending: Promise<Awaited<ReturnType<typeof observedEvent>>>[] = [];
  for (let n = 0; n < total; n++) {
    // Open loop: send on schedule whatever the previous events are doing.
    const due = started + (n * 1000) / RATE;
    await sleep(Math.max(0, due - performance.now()));
    pending.push(observedEvent(partners[n % partners.length], n));
  }
  const results = await Promise.all(pending);
  const ok = results.filter((r): r is { postMs: number; visibleMs: number } => typeof r !== 'string');
  return {
    sent: total,
    failed: results.filter((r) => typeof r === 'string'),
    elapsedS: (performance.now() - started) / 1000,
    post: percentiles(ok.map((r) => r.postMs)),
    visible: percentiles(ok.map((r) => r.visibleMs)),
  };
}

async function burstPhase(partners: string[]) {
  let accepted = 0;
  let refused = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + BURST_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        const { status } = await request('POST', `/v1/partners/${partners[(worker + n) % partners.length]}/events`, {
          eventId: `burst-${RUN}-${worker}-${n}`,
          type: 'community_event_attended',
        });
        latencies.push(performance.now() - t0);
        if (status === 202) accepted++;
        else refused++;
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { accepted, refused, elapsedS, eventsPerSecond: accepted / elapsedS, post: percentiles(latencies) };
}

async function main(): Promise<void> {
  const health = await request('GET', '/healthz');
  if (health.status !== 200) throw new Error(`the API at ${BASE} is not healthy: ${JSON.stringify(health.json)}`);
  process.stderr.write(`starting ${PARTNERS} partners...\n`);
  const partners = await startPartners();

  process.stderr.write(`steady: ${RATE} events/s for ${SECONDS} s...\n`);
  const steady = await steadyPhase(partners);
  process.stderr.write(`burst: ${CONCURRENCY} concurrent clients for ${BURST_SECONDS} s...\n`);
  const burst = await burstPhase(partners);

  console.log(`\nAPI ${BASE}, ${PARTNERS} partners, run ${RUN}`);
  console.log(`\nsteady: ${steady.sent} events at ${RATE}/s over ${steady.elapsedS.toFixed(1)} s, ${steady.failed.length} failed`);
  if (steady.failed.length) console.log(`  failures: ${[...new Set(steady.failed)].join(', ')}`);
  console.table({ 'POST -> 202 (ms)': steady.post, 'POST -> visible in GET state (ms)': steady.visible });
  const rate = `${burst.eventsPerSecond.toFixed(0)} events/s with ${CONCURRENCY} clients`;
  console.log(`\nburst: ${burst.accepted} accepted, ${burst.refused} refused in ${burst.elapsedS.toFixed(1)} s = ${rate}`);
  console.table({ 'POST -> 202 (ms)': burst.post });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
