/**
 * The pure domain's CPU per event, step by step, as the workflow shell spends it
 * in the workflow task that applies one event: `applyEvent`, `accountWork`,
 * `advance`, what visibility compares (`searchAttributes`, `reportSummary` and
 * the digest entry, as JSON), `nextWake` and `currentDetails`.
 *
 *   npx tsx bench/domain-cost.ts [--partners 1000] [--rounds 5] [--seen 0,4000]
 *
 * Each partner is a core partner whose systems send 20 events (the intake mix of
 * bench/throughput.ts: the same event under new ids). `--seen` runs it again for
 * partners whose event-id window already holds that many ids (a partnership of
 * a few years; the window is bounded at 5,000). A warm-up pass runs first; then
 * `--rounds` passes, and the fastest pass of each step is printed (microseconds
 * per event). Runs under tsx in plain Node, which is slower than the worker's
 * bundled sandbox: compare the figures of one run, or of runs on one machine.
 * Prints figures; asserts nothing.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import {
  accountWork,
  advance,
  applyEvent,
  currentDetails,
  initState,
  managerDigestEntry,
  nextWake,
  recordDelivery,
  reportSummary,
  searchAttributes,
  withCrossPartnerDigest,
  type DomainState,
} from '../workflows/domain';
import { corePartner } from './sandbox/domainPass';

const { values } = parseArgs({
  options: {
    partners: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    seen: { type: 'string', default: '0,4000' },
  },
});
const PARTNERS = Number(values.partners);
const ROUNDS = Number(values.rounds);
const EVENTS = 20;
const START = Date.parse('2027-01-05T10:00:00Z');

const STEPS = ['applyEvent', 'accountWork', 'advance', 'searchAttributes', 'reportSummary', 'digestEntry', 'nextWake', 'currentDetails'] as const;
type Step = (typeof STEPS)[number];

/** A started partner, its first requests delivered, with `seen` event ids already in its window. */
function started(partnerId: string, seen: number): DomainState {
  let s = withCrossPartnerDigest(initState(corePartner(partnerId, `Domain cost ${partnerId}`), DEFAULT_PLAYBOOK, START));
  if (seen) s = { ...s, seenEventIds: Array.from({ length: seen }, (_, i) => `${partnerId}-earlier-${i}`) };
  const first = advance(s, START);
  s = first.state;
  for (const r of first.requests) s = recordDelivery(s, { key: r.key, status: 'sent' }, START);
  return s;
}

/** One pass over every partner's events; adds each step's milliseconds to `spent`. */
function pass(seen: number, spent: Record<Step, number> | null): void {
  const timed = <T>(step: Step, f: () => T): T => {
    if (!spent) return f();
    const t0 = performance.now();
    const out = f();
    spent[step] += performance.now() - t0;
    return out;
  };
  for (let p = 0; p < PARTNERS; p++) {
    const partnerId = `p${p}`;
    let s = started(partnerId, seen);
    let now = START;
    for (let i = 0; i < EVENTS; i++) {
      now += 60_000;
      s = timed('applyEvent', () => applyEvent(s, { eventId: `${partnerId}-community-${i}`, type: 'community_event_attended' }, now));
      timed('accountWork', () => accountWork(s));
      s = timed('advance', () => advance(s, now)).state;
      timed('searchAttributes', () => searchAttributes(s, now));
      timed('reportSummary', () => JSON.stringify(reportSummary(s, now)));
      timed('digestEntry', () => JSON.stringify(managerDigestEntry(s, now)));
      const wake = timed('nextWake', () => nextWake(s, now));
      timed('currentDetails', () => currentDetails(s, now, wake));
    }
  }
}

function run(seen: number): Record<Step | 'total', string> {
  pass(seen, null);
  const best = Object.fromEntries([...STEPS, 'total'].map((k) => [k, Infinity])) as Record<Step | 'total', number>;
  for (let r = 0; r < ROUNDS; r++) {
    const spent = Object.fromEntries(STEPS.map((k) => [k, 0])) as Record<Step, number>;
    pass(seen, spent);
    const perEvent = (ms: number) => (ms * 1000) / (PARTNERS * EVENTS);
    for (const k of STEPS) best[k] = Math.min(best[k], perEvent(spent[k]));
    best.total = Math.min(best.total, perEvent(STEPS.reduce((sum, k) => sum + spent[k], 0)));
    process.stderr.write(`seen ${seen}: pass ${r + 1} of ${ROUNDS}\n`);
  }
  return Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.toFixed(1)])) as Record<Step | 'total', string>;
}

const table: Record<string, Record<string, string>> = {};
for (const seen of String(values.seen).split(',').map(Number)) table[`${seen} ids seen before`] = run(seen);
console.log(`the pure domain's CPU per event, microseconds (fastest of ${ROUNDS} passes; ${PARTNERS} core partners x ${EVENTS} events each)`);
console.table(table);
