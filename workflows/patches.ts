/**
 * One marker for a run started by today's code, instead of one per patch.
 *
 * Each `patched()` call that takes its new branch records a marker event, and
 * the SDK adds a `TemporalChangeVersion` search-attribute upsert for it: a
 * visibility write on the server, one per patch per run. A new partner took
 * four to six of them (cross-partner-digest, welcome-due-from-send,
 * bundled-reminders, report-on-change, then keep-earlier-timer and
 * account-registry when first reached), for branches every new run takes.
 *
 * A run that records `RUN_PATCH` takes every branch below without asking
 * again; a run recorded before it (no such marker) asks each patch as it did,
 * so its history replays unchanged (test/replay). A later incompatible change
 * gets a patch of its own, asked with `patched()` itself: a run behind
 * `RUN_PATCH` did not take it, so `since()` only answers for the patches
 * before it (its type says which). Once no run from before `RUN_PATCH` is
 * left, the older ids can go with their old branches.
 */
import { patched } from '@temporalio/workflow';

/** Marks a run started by the code of December 2026 or later. */
export const RUN_PATCH = 'run-2026-12';

/** The patches from before `RUN_PATCH`: a run behind it takes every one. */
export const PATCHES = {
  /** Runs recorded before the report memo existed replay without it. */
  reportMemo: 'report-memo',
  /** Runs recorded before the report went out with every change replay the older rule (status changes and timer wake-ups). */
  reportOnChange: 'report-on-change',
  /** Runs recorded before the account registry counted every registration at once. */
  accountRegistry: 'account-registry',
  /** Runs recorded before it re-armed the timer for every later moment, too, replay without it. */
  keepEarlierTimer: 'keep-earlier-timer',
  /** Digest managers' partners feed one digest across partners instead of sending their own. */
  crossPartnerDigest: 'cross-partner-digest',
  /** Runs from before the due date of an e-mail the system sends counted from its first business moment. */
  welcomeDueFromSend: 'welcome-due-from-send',
  /** Runs from before reminders due together were bundled into one message. */
  bundledReminders: 'bundled-reminders',
} as const;
export type EarlierPatch = (typeof PATCHES)[keyof typeof PATCHES];
export const EARLIER_PATCHES: readonly EarlierPatch[] = Object.values(PATCHES);

/** `since(id)`: does this run take patch `id`'s new branch? */
export type Since = (patchId: EarlierPatch) => boolean;

/** Call once, at the start of the run, before any other patch is asked. */
export function currentPatches(): Since {
  const current = patched(RUN_PATCH);
  return (patchId) => current || patched(patchId);
}
