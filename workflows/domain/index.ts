/**
 * The pure onboarding domain (docs/ARCHITECTURE.md, "The domain API"). Every
 * function is deterministic, takes the time as `nowMs`, never throws on bad
 * input and never mutates its arguments; `DomainState` is plain JSON.
 */
import type { DomainState } from './state';

export { applyEvent, tryEvent, type EventResult } from './events';
export { changeProfile, changedFields, profileChangeRefusal } from './profile';
export { accountWork, applyConflictNotice, recordSettlement, settleWithoutRegistry } from './conflicts';
export { recordDelivery } from './deliveries';
export { canonicalJson, migrate, type MigrationOutcome } from './migrate';
export { managerDigestEntry, withCrossPartnerDigest } from './digest';
export { reportSummary } from './report';
export { advance, nextWake, nextWakeAt, type WakeUp } from './schedule';
export { initState, upgradeState, type DomainState, type PinnedPlaybook } from './state';
export { currentDetails, searchAttributes, staticDetails, staticSummary, toView } from './view';

/** Offboarded: nothing more will happen. (Graduated partners live on: recurring reviews.) */
export function isFinished(state: DomainState): boolean {
  return state.offboardedAtMs !== null;
}

/**
 * True once after graduation and once per business review completed since:
 * the shell continues-as-new then, so a partnership that runs for years keeps
 * a short history. Carry `markContinuedAsNew(state)` into the new run.
 */
export function shouldContinueAsNew(state: DomainState): boolean {
  return state.phase === 'graduated' && state.reviews.continuedAsNewAt !== state.reviews.completed;
}

export function markContinuedAsNew(state: DomainState): DomainState {
  if (state.phase !== 'graduated') return state;
  return { ...state, reviews: { ...state.reviews, continuedAsNewAt: state.reviews.completed } };
}
