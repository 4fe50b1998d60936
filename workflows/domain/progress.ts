/**
 * Phases and checkpoints: "Each phase builds on the last." A partner moves on
 * as soon as the current phase's required milestones are done or waived ("they
 * can move at their own pace"). At the phase deadline with gaps, the checkpoint
 * waits for a manager's decision ("Continue ... OR extend"); without one in the
 * decision window the default policy extends, a limited number of times, and
 * then the partner is at risk. After the last phase the partner graduates "to
 * active partnership management": recurring business reviews.
 */
import type { CheckpointDecision, Phase } from '../types';
import { decisionWindowEndMs, riskReasons } from './health';
import {
  DAY,
  PHASES,
  addOccurrence,
  currentPhase,
  gaps,
  pendingCheckpoint,
  phaseDeadlineMs,
  segmentPlan,
  type Checkpoint,
  type DomainState,
} from './state';

/** Applies every transition due at `nowMs`: early advance, checkpoints, default extensions, graduation, risk. */
export function progress(s: DomainState, nowMs: number): void {
  advancePhases(s, nowMs);
  trackRisk(s, nowMs);
  trackTier(s, nowMs);
}

function advancePhases(s: DomainState, nowMs: number): void {
  for (let phase = currentPhase(s); phase; phase = currentPhase(s)) {
    const missing = gaps(s, phase);
    const pending = pendingCheckpoint(s);
    if (!missing.length) {
      if (pending) Object.assign(pending, { outcome: 'passed', gaps: [], decidedAtMs: nowMs });
      else s.checkpoints.push({ phase, dueAtMs: phaseDeadlineMs(s, phase), outcome: 'passed', gaps: [], decidedAtMs: nowMs });
      moveOn(s, phase, nowMs);
    } else if (!pending) {
      const deadline = phaseDeadlineMs(s, phase);
      if (nowMs < deadline) break;
      openCheckpoint(s, phase, deadline, missing);
    } else if (nowMs >= decisionWindowEndMs(s)! && s.autoExtensions < s.playbook.checkpointPolicy.maxAutoExtensions) {
      autoExtend(s, phase, pending, nowMs);
    } else {
      break;
    }
  }
}

function openCheckpoint(s: DomainState, phase: Phase, deadline: number, missing: string[]): void {
  s.checkpoints.push({ phase, dueAtMs: deadline, outcome: 'pending', gaps: missing });
  addOccurrence(s, {
    trigger: 'checkpoint_gaps',
    id: `${phase}:${s.checkpoints.filter((c) => c.phase === phase).length}`,
    atMs: deadline,
    data: { phase, gaps: missing },
  });
}

/** No decision within the window: the default policy extends the phase. */
function autoExtend(s: DomainState, phase: Phase, pending: Checkpoint, nowMs: number): void {
  const days = s.playbook.checkpointPolicy.defaultExtensionDays;
  Object.assign(pending, { outcome: 'extended', decidedAtMs: nowMs, decidedBy: 'default policy' });
  s.autoExtensions += 1;
  extend(s, phase, days);
  addOccurrence(s, {
    trigger: 'auto_extension',
    id: `${phase}:${s.extensions}`,
    atMs: nowMs,
    data: { phase, days, gaps: pending.gaps },
  });
}

/** Moves every deadline from the current phase on by `days`, and the later phases' milestones with them. */
function extend(s: DomainState, phase: Phase, days: number): void {
  for (let i = PHASES.indexOf(phase); i < PHASES.length; i++) s.deadlineShiftDays[i] += days;
  s.extensions += 1;
}

function moveOn(s: DomainState, from: Phase, nowMs: number): void {
  const next = PHASES[PHASES.indexOf(from) + 1];
  if (next) {
    s.phase = next;
    addOccurrence(s, { trigger: 'phase_advanced', id: next, atMs: nowMs, data: { from, to: next } });
    return;
  }
  const cadence = segmentPlan(s).reviewCadenceDays;
  s.phase = 'graduated';
  s.graduatedAtMs = nowMs;
  s.reviews.nextDueMs = nowMs + cadence * DAY;
  s.lastActivityMs = Math.max(s.lastActivityMs, nowMs);
  addOccurrence(s, { trigger: 'graduated', id: '', atMs: nowMs, data: {} });
  // "Assign ongoing partner success manager (not just onboarding)."
  if (s.profile.successManager) addOccurrence(s, { trigger: 'success_handover', id: '', atMs: nowMs, data: {} });
}

/** Resolves the checkpoint awaiting a decision; returns a rejection reason when there is none. */
export function decide(s: DomainState, decision: CheckpointDecision, nowMs: number): string | undefined {
  const pending = pendingCheckpoint(s);
  const phase = currentPhase(s);
  if (!pending || !phase) return 'no checkpoint is awaiting a decision';
  if (decision.phase && decision.phase !== pending.phase) {
    return `the ${decision.phase} checkpoint is not the one awaiting a decision (the ${pending.phase} checkpoint is)`;
  }
  Object.assign(pending, {
    decidedAtMs: nowMs,
    ...(decision.by ? { decidedBy: decision.by } : {}),
    ...(decision.note ? { note: decision.note } : {}),
  });
  if (decision.decision === 'advance') {
    // Gap milestones stay open and can still complete later.
    pending.outcome = 'advanced';
    moveOn(s, phase, nowMs);
  } else if (decision.decision === 'extend') {
    pending.outcome = 'extended';
    extend(s, phase, decision.days ?? s.playbook.checkpointPolicy.defaultExtensionDays);
  } else {
    offboard(s, `checkpoint decision${decision.note ? `: ${decision.note}` : ''}`, nowMs);
  }
  return undefined;
}

export function offboard(s: DomainState, reason: string, nowMs: number): void {
  const pending = pendingCheckpoint(s);
  if (pending) Object.assign(pending, { outcome: 'offboarded', decidedAtMs: pending.decidedAtMs ?? nowMs });
  s.phase = 'offboarded';
  s.offboardedAtMs = nowMs;
  s.atRisk = false;
  addOccurrence(s, { trigger: 'offboarded', id: '', atMs: nowMs, data: { reason } });
}

/**
 * One at_risk escalation per episode of risk. Opportunity SLA escalations are
 * left out: they escalate on their own.
 */
function trackRisk(s: DomainState, nowMs: number): void {
  const reasons = riskReasons(s, nowMs).filter((r) => r.code !== 'opportunity_escalated');
  if (reasons.length && !s.atRisk) {
    s.atRiskEpisodes += 1;
    addOccurrence(s, {
      trigger: 'at_risk',
      id: String(s.atRiskEpisodes),
      atMs: nowMs,
      data: { reasons },
    });
  }
  s.atRisk = reasons.length > 0;
  const quiet = reasons.find((r) => r.code === 'inactive');
  // The manager hears once per quiet spell (its start names it).
  if (quiet) addOccurrence(s, { trigger: 'inactive', id: String(quiet.sinceMs), atMs: nowMs, data: { sinceMs: quiet.sinceMs } });
}

/** After graduation: the first tier (highest first) whose every threshold the partner meets. */
export function tierFor(s: DomainState): string | null {
  if (s.phase !== 'graduated') return null;
  const tier = s.playbook.ongoing?.tiers.find(
    (t) =>
      s.registrations >= (t.minRegistered ?? 0) && s.wonRevenue >= (t.minWonRevenue ?? 0) && s.certified.length >= (t.minCertifications ?? 0),
  );
  return tier?.id ?? null;
}

function trackTier(s: DomainState, nowMs: number): void {
  const tier = tierFor(s);
  if (tier === s.tier) return;
  const from = s.tier;
  s.tier = tier;
  addOccurrence(s, { trigger: 'tier_changed', id: `${tier ?? 'none'}@${nowMs}`, atMs: nowMs, data: { from, to: tier } });
}
