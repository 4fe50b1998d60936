/**
 * Profile changes of a running partner (the `updateProfile` Update): a new
 * partner manager (with a handover message), a success manager, contacts,
 * roles, time zone or segment. Each change is recorded with who made it.
 *
 * A segment change keeps the contract date, the phase, every completed or
 * waived milestone and the extensions granted; from then on the new segment's
 * milestones, due days (counted from the contract), nudges and review cadence
 * apply. Milestones the new segment does not have leave the plan (done ones
 * stay recorded); new ones are due on their day, which may already be past:
 * they show as overdue. If the current phase's new deadline has already passed,
 * it moves forward by whole days to the last one before the change (never
 * further into the past): its checkpoint opens at once, with the full decision
 * window. Nudges already sent are never sent again (their keys are remembered).
 */
import { PROFILE_CHANGE_FIELDS, partnerRoles, type PartnerProfile, type ProfileChange } from '../types';
import { progress } from './progress';
import { DAY, LIMITS, PHASES, addOccurrence, clone, currentPhase, phaseDeadlineMs, pushBounded, segmentPlan, type DomainState } from './state';

/** Why a change cannot apply now, or undefined. */
export function profileChangeRefusal(s: DomainState, change: ProfileChange): string | undefined {
  if (s.offboardedAtMs !== null) return 'the partner was offboarded: onboarding has ended';
  const roles = change.roles ?? (change.role ? [change.role] : undefined);
  if (change.role && !change.roles && s.profile.roles && s.profile.roles.length > 1) {
    return 'the partner has several roles: change them with roles';
  }
  if (roles && roles.length === 0) return 'a partner needs a role';
  return undefined;
}

/** The fields a change would really change (a change to the same value is no change). */
export function changedFields(s: DomainState, change: ProfileChange): (typeof PROFILE_CHANGE_FIELDS)[number][] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const current: Record<string, unknown> = {
    partnerManager: s.profile.partnerManager,
    successManager: s.profile.successManager,
    contacts: s.contacts,
    role: partnerRoles(s.profile)[0],
    roles: partnerRoles(s.profile),
    timezone: s.profile.timezone ?? 'UTC',
    segment: s.profile.segment,
  };
  return PROFILE_CHANGE_FIELDS.filter((f) => change[f] !== undefined && !same(change[f], current[f]));
}

/** Applies a validated change (see `profileChangeRefusal`); returns the new state. */
export function changeProfile(state: DomainState, change: ProfileChange, nowMs: number): DomainState {
  const fields = changedFields(state, change);
  if (!fields.length) return state;
  const s = clone(state);
  const profile: PartnerProfile = { ...s.profile };
  const before = state.profile;

  if (change.partnerManager) profile.partnerManager = change.partnerManager;
  if (change.successManager === null) delete profile.successManager;
  else if (change.successManager) profile.successManager = change.successManager;
  if (change.contacts) {
    profile.contacts = change.contacts;
    s.contacts = change.contacts;
  }
  const roles = change.roles ?? (change.role ? [change.role] : undefined);
  if (roles) {
    delete profile.role;
    delete profile.roles;
    if (roles.length === 1) profile.role = roles[0];
    else profile.roles = roles;
  }
  if (change.timezone) profile.timezone = change.timezone;
  if (change.segment) profile.segment = change.segment;
  s.profile = profile;

  const phase = currentPhase(s);
  if (change.segment && change.segment !== before.segment && phase) {
    // The review cadence during onboarding follows the new segment (strategic: monthly reviews).
    const plan = segmentPlan(s);
    s.reviews.nextDueMs = plan.reviewsDuringOnboarding ? (s.reviews.nextDueMs ?? nowMs + plan.reviewCadenceDays * DAY) : null;
    const late = Math.floor((nowMs - phaseDeadlineMs(s, phase)) / DAY);
    if (late > 0) for (let i = PHASES.indexOf(phase); i < PHASES.length; i++) s.deadlineShiftDays[i] += late;
  }
  if (fields.includes('partnerManager') && change.partnerManager!.email !== before.partnerManager.email) {
    // "Managers leave": the new manager hears where the partner stands; what was buffered for a digest goes to them.
    addOccurrence(s, {
      trigger: 'manager_handover',
      id: String(s.profileChanges.length + 1),
      atMs: nowMs,
      data: { from: { name: before.partnerManager.name, email: before.partnerManager.email }, by: change.by },
    });
  }
  pushBounded(
    s.profileChanges,
    { atMs: nowMs, by: change.by, fields, ...(change.reason ? { reason: change.reason } : {}) },
    LIMITS.profileChanges,
  );
  progress(s, nowMs);
  return s;
}
