/**
 * Playbook migration: a running partner moves from its pinned playbook to
 * another published version. Pure, like the rest of the domain: the
 * `previewMigration` query (a dry run, no history) and the `migratePlaybook`
 * Update (its validator, then its handler) all call `migrate`, so the applied
 * diff is the previewed one unless the partner changed in between.
 *
 * The rules (docs/playbook.md, "Migrating running partners"):
 * - Done and waived milestones stay done. A done milestone the new version no
 *   longer has leaves the plan, but its completion stays in the record (a later
 *   version that brings it back finds it done).
 * - A milestone removed while open (overdue or not) leaves the plan: the new
 *   version no longer asks for it. The diff says it was overdue.
 * - An added milestone of a phase the partner has already left, or an open one
 *   the new version moves into such a phase, is waived (its checkpoint has passed).
 * - Never a deadline in the past. A due date the new version does not change
 *   stays. A changed one that would be in the past is the next day of the plan;
 *   an already overdue milestone keeps its due date (never more overdue).
 *   The current phase's deadline likewise: in the past, it is the next day of
 *   the plan, and the later phases move with it.
 * - A checkpoint awaiting a decision keeps its deadline and decision window
 *   while the new deadline has passed too (its gaps are recounted; none left, it
 *   passes); when the new deadline is later, the checkpoint is withdrawn
 *   (outcome `extended`, decided by the migration) and a new one opens then.
 * - Notifications already requested are never sent again (their keys stay),
 *   and a notification of the new version whose moment came before the
 *   migration is skipped: a migration never sends what belongs to the past.
 */
import type { MilestoneDef, Playbook } from '../playbook';
import type { DueRule, MigrationDiff, MigrationRefusal, MigrationRequest } from '../migration';
import type { Phase } from '../types';
import { healthAt } from './health';
import { completeDerived, waive } from './milestones';
import { progress } from './progress';
import { candidates } from './requests';
import { advance, nextWakeAt } from './schedule';
import {
  DAY,
  LIMITS,
  PHASES,
  clone,
  currentPhase,
  dueDay,
  dueMs,
  gaps,
  iso,
  pendingCheckpoint,
  phaseDeadlineDay,
  phaseDeadlineMs,
  planMilestones,
  pushBounded,
  segmentPlan,
  type DomainState,
} from './state';
import { toView } from './view';

/** Migrations remembered in the state. */
const MAX_MIGRATIONS = 50;

export type MigrationOutcome =
  | { ok: true; state: DomainState; diff: MigrationDiff }
  | { ok: false; code: MigrationRefusal; reason: string };

/** JSON with object keys sorted: equal values give equal text, whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * Moves the partner to `request.playbook`, or says why not. Never throws: a
 * target the domain cannot run with is refused as `invalid_playbook`.
 */
export function migrate(state: DomainState, request: MigrationRequest, nowMs: number): MigrationOutcome {
  const refusal = precheck(state, request);
  if (refusal) return { ok: false, ...refusal };
  try {
    const result = apply(state, request, nowMs);
    // The migrated state must run: what the shell does next, once, here.
    nextWakeAt(advance(result.state, nowMs).state, nowMs);
    toView(result.state, nowMs);
    return { ok: true, ...result };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, code: 'invalid_playbook', reason: `the target playbook does not run for this partner: ${message}` };
  }
}

function precheck(s: DomainState, request: MigrationRequest): { code: MigrationRefusal; reason: string } | undefined {
  const target = request?.playbook as Playbook | undefined;
  const segment = s.profile.segment;
  if (s.offboardedAtMs !== null) return { code: 'offboarded', reason: 'the partner was offboarded: onboarding has ended' };
  const shapeProblem = checkShape(target, segment);
  if (shapeProblem) return { code: 'invalid_playbook', reason: shapeProblem };
  if (typeof request.hash !== 'string' || !request.hash) return { code: 'invalid_playbook', reason: 'hash: missing' };
  const { expect } = request;
  if (expect?.segment !== undefined && expect.segment !== segment) {
    return { code: 'precondition_failed', reason: `the partner is a ${segment} partner now, not ${expect.segment}` };
  }
  if (expect?.fromVersion !== undefined && expect.fromVersion !== s.playbook.version) {
    return { code: 'precondition_failed', reason: `the partner is on playbook ${s.playbook.version}, not ${expect.fromVersion}` };
  }
  if (canonicalJson(s.playbook) === canonicalJson(target)) {
    return { code: 'unchanged', reason: `the partner is already on playbook ${target!.version} with this content` };
  }
  return undefined;
}

/** What the migration reads, checked by hand: the workflow never evaluates the playbook's zod schema. */
function checkShape(target: Playbook | undefined, segment: string): string | undefined {
  if (!target || typeof target !== 'object') return 'playbook: missing';
  if (typeof target.version !== 'string' || !target.version) return 'playbook.version: missing';
  const plan = (target.segments as Record<string, Playbook['segments']['core'] | undefined> | undefined)?.[segment];
  if (!plan || typeof plan !== 'object') return `playbook.segments.${segment}: missing`;
  for (const phase of PHASES) {
    const days = plan.phaseDays?.[phase];
    if (!Number.isInteger(days) || days < 1) return `playbook.segments.${segment}.phaseDays.${phase}: must be a whole number of days`;
  }
  if (!Number.isInteger(plan.reviewCadenceDays) || plan.reviewCadenceDays < 1) {
    return `playbook.segments.${segment}.reviewCadenceDays: must be a whole number of days`;
  }
  if (!Array.isArray(plan.milestones) || !Array.isArray(plan.notifications)) {
    return `playbook.segments.${segment}: milestones and notifications must be arrays`;
  }
  const bad = plan.milestones.findIndex(
    (m) =>
      !m ||
      typeof m.id !== 'string' ||
      typeof m.title !== 'string' ||
      !PHASES.includes(m.phase) ||
      !Number.isInteger(m.dueDay) ||
      typeof m.requiredAtCheckpoint !== 'boolean' ||
      typeof m.completion?.kind !== 'string',
  );
  if (bad >= 0) return `playbook.segments.${segment}.milestones[${bad}]: not a milestone`;
  return undefined;
}

interface Before {
  state: DomainState;
  defs: Map<string, MilestoneDef>;
}

function apply(state: DomainState, request: MigrationRequest, nowMs: number): { state: DomainState; diff: MigrationDiff } {
  const before: Before = { state, defs: new Map(planMilestones(state).map((m) => [m.id, m])) };
  const requestedBefore = new Set(candidates(state).map((c) => c.key));
  const n = clone(state);
  n.playbook = request.playbook;
  n.dueShiftDays = {};
  const current = currentPhase(n);
  // Graduated: every phase is behind the partner.
  const currentIndex = current ? PHASES.indexOf(current) : PHASES.length;
  const nextDay = Math.floor((nowMs - n.startMs) / DAY) + 1;
  const dayOf = (ms: number) => Math.round((ms - n.startMs) / DAY);
  const moment = (ms: number) => ({ at: iso(ms), day: dayOf(ms) });

  // 1. The current phase's deadline (the later phases move with it).
  const diff: Omit<MigrationDiff, 'phase' | 'health'> = {
    partnerId: n.profile.partnerId,
    segment: n.profile.segment,
    from: { version: state.playbook.version, hash: state.playbookHash ?? null },
    to: { version: request.playbook.version, hash: request.hash },
    milestones: { added: [], removed: [], moved: [], changed: [], kept: [] },
    deadlines: [],
    checkpoint: null,
    reviews: null,
    notificationsSkipped: [],
  };
  let deadlineRule: DueRule = 'as_planned';
  let pendingIndex = -1;
  if (current) {
    const pending = pendingCheckpoint(n);
    const planned = phaseDeadlineDay(n, current);
    let shift = 0;
    if (pending && n.startMs + planned * DAY > nowMs) {
      // The new version gives the phase more time than it has had: not at its checkpoint yet.
      Object.assign(pending, { outcome: 'extended', decidedAtMs: nowMs, decidedBy: `playbook ${request.playbook.version}` });
      diff.checkpoint = { phase: current, after: 'withdrawn', gaps: [] };
    } else if (pending) {
      shift = dayOf(pending.dueAtMs) - planned;
      if (shift !== 0) deadlineRule = 'checkpoint_kept';
      pendingIndex = n.checkpoints.indexOf(pending);
    } else if (n.startMs + planned * DAY <= nowMs) {
      shift = nextDay - planned;
      deadlineRule = 'next_day';
    }
    for (let i = currentIndex; i < PHASES.length; i++) n.deadlineShiftDays[i] += shift;
  }

  // 2. Milestones, in the new version's order.
  const shiftDue = (m: MilestoneDef, day: number) => {
    const planned = dueDay(n, m);
    if (day !== planned) n.dueShiftDays![m.id] = day - planned;
  };
  const waivedPassed = (m: MilestoneDef, why: string) =>
    waive(n, m, nowMs, `${why} by playbook ${request.playbook.version}: the ${m.phase} phase was already behind the partner`, 'playbook migration');
  for (const m of planMilestones(n)) {
    const old = before.defs.get(m.id);
    const phaseIndex = PHASES.indexOf(m.phase);
    const planned = dueDay(n, m);
    const inPast = n.startMs + planned * DAY <= nowMs;
    if (!old) {
      let rule: DueRule = 'as_planned';
      if (n.completions[m.id]) rule = 'already_done';
      else if (phaseIndex < currentIndex) {
        waivedPassed(m, 'added');
        rule = 'waived_phase_passed';
      } else if (inPast) {
        shiftDue(m, nextDay);
        rule = 'next_day';
      }
      const due = dueMs(n, m);
      const done = n.completions[m.id];
      const status = done ? (done.waived ? 'waived' : 'done') : 'pending';
      diff.milestones.added.push({ id: m.id, title: m.title, phase: m.phase, required: m.requiredAtCheckpoint, due: moment(due), status, rule });
      continue;
    }
    const changes = {
      ...(old.requiredAtCheckpoint !== m.requiredAtCheckpoint ? { required: { from: old.requiredAtCheckpoint, to: m.requiredAtCheckpoint } } : {}),
      ...(old.phase !== m.phase ? { phase: { from: old.phase, to: m.phase } } : {}),
      ...(old.title !== m.title ? { title: { from: old.title, to: m.title } } : {}),
    };
    if (Object.keys(changes).length) diff.milestones.changed.push({ id: m.id, ...changes });
    if (n.completions[m.id]) {
      diff.milestones.kept.push(m.id);
      continue;
    }
    const oldDue = dueMs(before.state, old);
    const oldPlanned = dueDay({ ...before.state, dueShiftDays: {} }, old);
    let rule: DueRule = 'as_planned';
    if (phaseIndex < currentIndex && PHASES.indexOf(old.phase) >= currentIndex) {
      waivedPassed(m, 'moved into a passed phase');
      rule = 'waived_phase_passed';
    } else if (planned === oldPlanned) {
      shiftDue(m, dayOf(oldDue)); // the new version does not change it: the due date stays
    } else if (inPast && oldDue <= nowMs) {
      const day = Math.max(planned, dayOf(oldDue));
      shiftDue(m, day);
      if (day !== planned) rule = 'kept_overdue';
    } else if (inPast) {
      shiftDue(m, nextDay);
      rule = 'next_day';
    }
    const due = dueMs(n, m);
    if (due !== oldDue || rule === 'waived_phase_passed') {
      diff.milestones.moved.push({ id: m.id, title: m.title, phase: m.phase, from: moment(oldDue), to: moment(due), rule });
    }
  }
  for (const [id, old] of before.defs) {
    if (planMilestones(n).some((m) => m.id === id)) continue;
    const done = before.state.completions[id];
    const status = done ? (done.waived ? 'waived' : 'done') : nowMs > dueMs(before.state, old) ? 'overdue' : 'pending';
    diff.milestones.removed.push({ id, title: old.title, phase: old.phase, status });
  }

  // 3. Phase deadlines from the current phase on.
  for (let i = currentIndex; i < PHASES.length; i++) {
    const phase: Phase = PHASES[i]!;
    const from = phaseDeadlineMs(before.state, phase);
    const to = phaseDeadlineMs(n, phase);
    if (from !== to) diff.deadlines.push({ phase, from: moment(from), to: moment(to), rule: i === currentIndex ? deadlineRule : 'as_planned' });
  }

  // 4. Recurring reviews during onboarding follow the new version; after graduation the next review stays.
  const plan = segmentPlan(n);
  if (current) {
    const cadenceMs = plan.reviewCadenceDays * DAY;
    if (plan.reviewsDuringOnboarding && n.reviews.nextDueMs === null) {
      n.reviews.nextDueMs = n.startMs + (Math.floor(Math.max(0, nowMs - n.startMs) / cadenceMs) + 1) * cadenceMs;
    } else if (!plan.reviewsDuringOnboarding && n.reviews.nextDueMs !== null) {
      n.reviews.nextDueMs = null;
    }
  }
  if (n.reviews.nextDueMs !== before.state.reviews.nextDueMs) {
    const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
    diff.reviews = { from: isoOrNull(before.state.reviews.nextDueMs), to: isoOrNull(n.reviews.nextDueMs) };
  }

  // 5. Rules the milestones' state already satisfies (registrations, deal or pipeline, test-out).
  completeDerived(n, nowMs);
  for (const added of diff.milestones.added) {
    const done = n.completions[added.id];
    if (done && added.status === 'pending') Object.assign(added, { status: done.waived ? 'waived' : 'done', rule: 'already_done' });
  }

  // 6. Nothing for the past: a new notification whose moment came before now is skipped.
  for (const c of candidates(n)) {
    const expired = c.expiresAtMs !== undefined && c.expiresAtMs <= nowMs;
    if (requestedBefore.has(c.key) || c.atMs > nowMs || expired) continue;
    pushBounded(n.requested, c.key, LIMITS.requestedKeys);
    diff.notificationsSkipped.push(c.key);
  }

  // 7. The checkpoint awaiting a decision counts the new version's gaps; then the usual transitions.
  const pending = pendingIndex >= 0 ? n.checkpoints[pendingIndex] : undefined;
  if (pending) pending.gaps = gaps(n, pending.phase);
  progress(n, nowMs);
  if (pending) {
    diff.checkpoint = { phase: pending.phase, after: pending.outcome === 'pending' ? 'waiting' : 'passed', gaps: pending.gaps };
  }

  n.playbookHash = request.hash;
  n.migrations = [...(n.migrations ?? [])];
  pushBounded(
    n.migrations,
    { from: diff.from, to: { version: request.playbook.version, hash: request.hash }, atMs: nowMs, ...(request.by ? { by: request.by } : {}) },
    MAX_MIGRATIONS,
  );
  return {
    state: n,
    diff: {
      ...diff,
      phase: { from: state.phase, to: n.phase },
      health: { from: healthAt(state, nowMs), to: healthAt(n, nowMs) },
    },
  };
}
