/**
 * The fault-injection run against the local cluster (workers/cluster): the
 * same partners go through the same journeys twice, first undisturbed (namespace
 * `chaos-baseline`), then under faults (namespace `chaos`):
 *
 *   - a worker SIGKILLed at `kills` random moments (and restarted),
 *   - the Temporal server restarted once, PostgreSQL restarted once,
 *   - the SMTP server down for `smtpDownMs`,
 *   - a storm of Slack 429 and 500 answers (some 500s after the post was made),
 *
 * then checks: no event lost (every event the API accepted is in the partner's
 * timeline), no e-mail twice at the SMTP server, no Slack post twice, every
 * notification in the states delivered exactly once, and every partner's final
 * state equal to its undisturbed one (see `comparable`).
 *
 * Journeys are the test helpers' happy paths, compressed by a test playbook (the
 * default playbook as data, with the opportunity SLA in seconds instead of hours
 * and business hours all week): all events arrive at once, step by step, and core
 * partners wait for the SLA reminder and escalation of their first opportunity
 * before acknowledging it, so timers fire under the faults too. The driver waits
 * for what the timers produce instead of racing them; that is what makes the two
 * runs comparable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { messageIdFor } from '../../activities/email';
import { recipientId } from '../../activities/recipients';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { LocalCluster } from '../../workers/cluster';
import type { AppProcess } from '../../workers/cluster/app';
import { freeLowPort, freePort, sleep } from '../../workers/cluster/process';
import type { OnboardingState, PartnerEvent, PartnerProfile, Segment } from '../../workflows/types';
import { startFakeSlack, type FakeSlack } from '../activities/fixtures/slackServer';
import { HAPPY_PATHS, profileFor, withIds } from '../helpers/journeys';

export interface ChaosOptions {
  dir: string;
  partners: number;
  kills: number;
  smtpDownMs: number;
  /** Slack answers failed during the storm. */
  slackStorm: number;
  /** Journeys driven at once. */
  concurrency: number;
  /** Seconds of the SLA marks in the test playbook. */
  slaSeconds: { response: number; escalation: number };
  seed?: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  partners: number;
  eventsSent: number;
  lostEvents: number;
  emails: number;
  duplicateEmails: number;
  missingEmails: number;
  slackPosts: number;
  duplicateSlackPosts: number;
  missingSlackPosts: number;
  finalStatesEqual: number;
  finalStatesDifferent: { partnerId: string; diff: string }[];
  faults: string[];
  seconds: { baseline: number; chaos: number };
}

const ESCALATION_CHANNEL = 'C0ESCALATE';
const SEGMENTS: Segment[] = ['core', 'strategic', 'transactional'];

/** The default playbook, compressed where timers matter for the run and open all week. */
export function chaosPlaybook(sla: ChaosOptions['slaSeconds']): Playbook {
  return {
    ...structuredClone(DEFAULT_PLAYBOOK),
    version: `${DEFAULT_PLAYBOOK.version}-chaos`,
    opportunitySla: { responseHours: sla.response / 3600, escalationHours: sla.escalation / 3600 },
    businessHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 },
  };
}

/** A tiny seeded random (mulberry32), so a run can be repeated with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Journey {
  profile: PartnerProfile;
  /** Each step is one POST of its events; `waitFor` first waits until those notification kinds are in the state. */
  steps: { events: PartnerEvent[]; waitFor?: string[] }[];
}

function journeys(count: number): Journey[] {
  return Array.from({ length: count }, (_, i) => {
    const segment = SEGMENTS[i % SEGMENTS.length]!;
    const partnerId = `chaos-${String(i + 1).padStart(3, '0')}`;
    const manager = i % 20;
    const profile = profileFor(segment, partnerId, {
      partnerManager: { name: `Manager ${manager}`, email: `mgr${manager}@vendor.example`, slackUserId: `U0MGR${manager}` },
      contacts: [{ role: 'sales', name: `Contact ${i + 1}`, email: `contact${i + 1}@${partnerId}.example` }],
    });
    const steps: Journey['steps'] = [];
    // Each partner's opportunities name accounts of its own: the same account registered by every
    // partner would be a channel conflict (the account registry refuses all but the first).
    for (const step of withIds(HAPPY_PATHS[segment], partnerId, partnerId)) {
      const events = step.events;
      // Core partners: the first registration waits out its SLA marks before the acknowledgement.
      const ack = events.findIndex((e) => e.type === 'opportunity_acknowledged' && (e.data as { opportunityId?: string }).opportunityId === 'opp-1');
      if (segment === 'core' && ack > 0) {
        steps.push({ events: events.slice(0, ack) });
        steps.push({ events: events.slice(ack), waitFor: ['opportunity_sla_manager', 'opportunity_sla_escalation'] });
      } else {
        steps.push({ events });
      }
    }
    return { profile, steps };
  });
}

class Api {
  constructor(private readonly base: string) {}

  /** Retries network errors and 5xx (the API or Temporal may be down) until `deadline`. */
  async call<T>(method: string, route: string, body?: unknown, deadline = Date.now() + 15 * 60_000): Promise<{ status: number; body: T }> {
    let pause = 250;
    for (;;) {
      try {
        const res = await fetch(`${this.base}${route}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status < 500) return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
      } catch {
        // down or restarting: try again
      }
      if (Date.now() > deadline) throw new Error(`${method} ${route}: no answer before the deadline`);
      await sleep(pause);
      pause = Math.min(pause * 2, 3_000);
    }
  }

  async state(partnerId: string): Promise<OnboardingState> {
    for (;;) {
      const r = await this.call<OnboardingState>('GET', `/v1/partners/${partnerId}`);
      if (r.status === 200) return r.body;
      await sleep(500); // 404 right after the start, or a query that found no worker
    }
  }

  async until(partnerId: string, what: string, done: (s: OnboardingState) => boolean, timeoutMs = 20 * 60_000): Promise<OnboardingState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.state(partnerId);
      if (done(state)) return state;
      if (Date.now() > deadline) throw new Error(`${partnerId}: ${what} did not happen within ${timeoutMs / 1000} s (phase ${state.phase})`);
      await sleep(1_000);
    }
  }
}

const hasKinds = (s: OnboardingState, kinds: string[]) => kinds.every((k) => s.notifications.some((n) => n.kind === k));

/** Drives every journey through the API; returns the event ids the API accepted. */
async function drive(api: Api, all: Journey[], concurrency: number, log: (line: string) => void): Promise<Map<string, string[]>> {
  const accepted = new Map<string, string[]>();
  let next = 0;
  let finished = 0;
  const one = async (j: Journey) => {
    const { partnerId } = j.profile;
    const ids: string[] = [];
    accepted.set(partnerId, ids);
    const started = await api.call('POST', '/v1/partners', j.profile);
    if (started.status !== 201 && started.status !== 200) throw new Error(`${partnerId}: start answered ${started.status}`);
    // The first workflow task has run (it decides what is due at the start) before any event arrives.
    await api.until(partnerId, 'the welcome e-mail', (s) => hasKinds(s, ['welcome']));
    for (const [i, step] of j.steps.entries()) {
      if (step.waitFor) await api.until(partnerId, step.waitFor.join(' and '), (s) => hasKinds(s, step.waitFor!));
      // Days pass between two steps of a real journey: the account registry has answered every
      // registration by the next one (a registration counts once it holds its account, so the
      // phase it completes can advance before the next step's events arrive).
      if (i > 0) await api.until(partnerId, 'the account checks', (s) => s.opportunities.every((o) => o.accountCheck !== 'pending'));
      const r = await api.call('POST', `/v1/partners/${partnerId}/events`, step.events);
      if (r.status !== 202) throw new Error(`${partnerId}: events answered ${r.status}: ${JSON.stringify(r.body)}`);
      ids.push(...step.events.map((e) => e.eventId));
    }
    await api.until(partnerId, 'graduation', (s) => s.phase === 'graduated' && hasKinds(s, ['graduated']));
    finished += 1;
    if (finished % Math.max(1, Math.ceil(all.length / 10)) === 0) log(`  ${finished}/${all.length} partners graduated`);
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < all.length) await one(all[next++]!);
    }),
  );
  return accepted;
}

/**
 * A state with what legitimately differs between two runs taken out: every
 * timestamp (startedAt, phaseDeadline, dueAt, completedAt, registeredAt,
 * acknowledgedAt, a notification's `at`, …: each run starts at its own time),
 * `day` and the `indicators` (durations measured on the wall clock), and the
 * order of `notifications` (deliveries finish in any order; they are sorted by key).
 */
export function comparable(state: OnboardingState): unknown {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  const strip = (v: unknown): unknown => {
    if (typeof v === 'string') return iso.test(v) ? '<time>' : v;
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  const { day: _day, indicators: _indicators, ...rest } = state;
  const copy = strip(rest) as { notifications: { key: string }[] };
  copy.notifications = [...copy.notifications].sort((a, b) => a.key.localeCompare(b.key));
  return copy;
}

function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { log } = opts;
  const rand = random(opts.seed ?? Date.now());
  fs.mkdirSync(opts.dir, { recursive: true });
  const playbookFile = path.join(opts.dir, 'chaos-playbook.json');
  fs.writeFileSync(playbookFile, JSON.stringify(chaosPlaybook(opts.slaSeconds), null, 2));
  const slack: FakeSlack = await startFakeSlack();
  const all = journeys(opts.partners);
  const cluster = await LocalCluster.start({
    dir: path.join(opts.dir, 'cluster'),
    frontendPort: await freeLowPort(),
    http: { host: '127.0.0.1', port: await freePort() },
    namespace: 'chaos-baseline',
    extraNamespaces: ['chaos'],
    taskQueue: 'partner-onboarding',
    apps: false,
    appEnv: {
      PLAYBOOK_PATH: playbookFile,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ESCALATION_CHANNEL: ESCALATION_CHANNEL,
      EMAIL_FROM: 'Partner Onboarding <onboarding@vendor.example>',
      LOG_LEVEL: 'warn',
      // The weekly digest's schedule must not fire during the run.
      DIGEST_CRON: '0 0 1 1 *',
    },
    progress: (line) => log(`cluster: ${line}`),
  });
  const api = new Api(cluster.apiUrl);
  const faults: string[] = [];
  try {
    // 1. Undisturbed.
    log(`baseline: ${opts.partners} partners, no faults (namespace chaos-baseline)`);
    await cluster.startApps('chaos-baseline', (line) => log(`cluster: ${line}`));
    const t0 = Date.now();
    await drive(api, all, opts.concurrency, log);
    const baseline = new Map<string, OnboardingState>();
    for (const j of all) baseline.set(j.profile.partnerId, await api.state(j.profile.partnerId));
    const baselineSeconds = (Date.now() - t0) / 1000;
    log(`baseline: done in ${baselineSeconds.toFixed(0)} s; ${cluster.smtp.messages.length} e-mails, ${slack.posted.length} Slack posts`);
    await cluster.stopApps();
    cluster.smtp.messages.length = 0;
    slack.posted.length = 0;
    slack.requests.length = 0;

    // 2. The same inputs under faults.
    log(`chaos: the same ${opts.partners} partners under faults (namespace chaos)`);
    await cluster.startApps('chaos', (line) => log(`cluster: ${line}`));
    const t1 = Date.now();
    const window = Math.max(30_000, baselineSeconds * 1000);
    const at = (fraction: number) => t1 + fraction * window;
    const stamp = () => `${((Date.now() - t1) / 1000).toFixed(0)} s`;
    const note = (line: string) => {
      faults.push(`${stamp()}: ${line}`);
      log(`  fault at ${stamp()}: ${line}`);
    };
    let driving = true;
    const killTimes = Array.from({ length: opts.kills }, () => at(0.05 + rand() * 0.9)).sort((a, b) => a - b);
    const restarts: Promise<void>[] = [];
    const ready = new Set(cluster.workers);
    const injector = (async () => {
      const schedule: { at: number; run: () => Promise<void> }[] = [
        ...killTimes.map((t) => ({
          at: t,
          run: async () => {
            // A worker that serves (polls): one still starting up after the last kill is left alone.
            let serving: AppProcess[];
            while ((serving = cluster.workers.filter((w) => ready.has(w) && w.running)).length === 0) await sleep(500);
            const victim = serving[Math.floor(rand() * serving.length)]!;
            ready.delete(victim);
            await victim.crash();
            note(`SIGKILL ${victim.name}`);
            restarts.push(
              cluster.restartWorker(victim, 'chaos').then(
                () => {
                  ready.add(victim);
                  log(`  ${victim.name} back (${stamp()})`);
                },
                (err: unknown) => note(`${victim.name} did not come back: ${(err as Error).message}`),
              ),
            );
          },
        })),
        {
          at: at(0.15),
          run: async () => {
            await cluster.smtp.stop();
            note(`SMTP down for ${opts.smtpDownMs / 1000} s`);
            setTimeout(() => void cluster.smtp.start().then(() => note('SMTP up')), opts.smtpDownMs);
          },
        },
        {
          at: at(0.35),
          run: async () => {
            note('restarting the Temporal server');
            await cluster.temporal.stop();
            await cluster.temporal.start();
            note('Temporal server up');
          },
        },
        {
          at: at(0.5),
          run: async () => {
            const storm = opts.slackStorm;
            for (let i = 0; i < storm; i += 1) {
              const failure =
                i % 3 === 0
                  ? { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }
                  : { status: 500, body: { ok: false, error: 'internal_error' }, afterApplying: i % 3 === 2 };
              slack.fail(i % 4 === 3 ? 'conversations.history' : 'chat.postMessage', failure);
            }
            note(`Slack storm: the next ${storm} calls answer 429 or 500 (a third of the 500s after posting)`);
          },
        },
        {
          at: at(0.6),
          run: async () => {
            note('restarting PostgreSQL');
            await cluster.postgres.stop('fast');
            await cluster.postgres.start();
            note('PostgreSQL up');
          },
        },
      ].sort((a, b) => a.at - b.at);
      for (const item of schedule) {
        while (driving && Date.now() < item.at) await sleep(200);
        await item.run();
      }
    })();
    const accepted = await drive(api, all, opts.concurrency, log);
    driving = false;
    await injector;
    await Promise.all(restarts);
    if (!cluster.smtp.running) await cluster.smtp.start();
    // Deliveries after graduation (none in these journeys) have a moment to land.
    await sleep(3_000);
    const chaosSeconds = (Date.now() - t1) / 1000;

    // 3. Checks.
    const finals = new Map<string, OnboardingState>();
    for (const j of all) finals.set(j.profile.partnerId, await api.state(j.profile.partnerId));
    let lostEvents = 0;
    for (const [partnerId, ids] of accepted) {
      const timeline = await api.call<{ entries: { kind: string; eventId?: string | null }[] }>('GET', `/v1/partners/${partnerId}/timeline`);
      const seen = new Set(timeline.body.entries.filter((e) => e.kind === 'event').map((e) => e.eventId));
      lostEvents += ids.filter((id) => !seen.has(id)).length;
    }
    const count = <T>(items: T[], key: (t: T) => string) => {
      const m = new Map<string, number>();
      for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
      return m;
    };
    const mails = count(cluster.smtp.messages, (m) => m.messageId);
    const posts = count(slack.posted, (p) => String(p.metadata?.event_payload?.key ?? ''));
    const expectedMail = new Set<string>();
    const expectedPosts = new Set<string>();
    for (const [partnerId, state] of finals) {
      for (const n of state.notifications) {
        const key = `onboarding-${partnerId}/${n.key}`;
        if (n.channel !== 'email') expectedPosts.add(key);
        else {
          // One copy per contact: with several, each copy has its own key and Message-ID.
          const to = n.to.split(', ');
          for (const address of to) expectedMail.add(messageIdFor(to.length === 1 ? key : `${key}#${recipientId(address)}`));
        }
      }
    }
    const different: ChaosReport['finalStatesDifferent'] = [];
    for (const [partnerId, state] of finals) {
      const diff = firstDifference(comparable(baseline.get(partnerId)!), comparable(state));
      if (diff) different.push({ partnerId, diff });
    }
    return {
      partners: all.length,
      eventsSent: [...accepted.values()].reduce((n, ids) => n + ids.length, 0),
      lostEvents,
      emails: cluster.smtp.messages.length,
      duplicateEmails: [...mails.values()].reduce((n, c) => n + c - 1, 0),
      missingEmails: [...expectedMail].filter((id) => !mails.has(id)).length,
      slackPosts: slack.posted.length,
      duplicateSlackPosts: [...posts.values()].reduce((n, c) => n + c - 1, 0),
      missingSlackPosts: [...expectedPosts].filter((k) => !posts.has(k)).length,
      finalStatesEqual: all.length - different.length,
      finalStatesDifferent: different,
      faults,
      seconds: { baseline: baselineSeconds, chaos: chaosSeconds },
    };
  } finally {
    await cluster.stop((line) => log(`cluster: ${line}`));
    await slack.close();
  }
}

export function printReport(r: ChaosReport, out: (line: string) => void): void {
  out('');
  out('chaos run: results');
  out(`  partners                   ${r.partners}`);
  out(`  events accepted            ${r.eventsSent}`);
  out(`  lost events                ${r.lostEvents}`);
  out(`  e-mails at the SMTP server ${r.emails} (duplicates ${r.duplicateEmails}, missing ${r.missingEmails})`);
  out(`  Slack posts                ${r.slackPosts} (duplicates ${r.duplicateSlackPosts}, missing ${r.missingSlackPosts})`);
  out(`  final states equal to the undisturbed run: ${r.finalStatesEqual}/${r.partners}`);
  for (const d of r.finalStatesDifferent.slice(0, 10)) out(`    ${d.partnerId}: ${d.diff}`);
  out(`  faults (${r.faults.length}):`);
  for (const f of r.faults) out(`    ${f}`);
  out(`  time: baseline ${r.seconds.baseline.toFixed(0)} s, under faults ${r.seconds.chaos.toFixed(0)} s`);
  out('  compared without: every timestamp, day, indicators (wall-clock), and the order of notifications');
}

export function passed(r: ChaosReport): boolean {
  return (
    r.lostEvents === 0 &&
    r.duplicateEmails === 0 &&
    r.missingEmails === 0 &&
    r.duplicateSlackPosts === 0 &&
    r.missingSlackPosts === 0 &&
    r.finalStatesDifferent.length === 0
  );
}
