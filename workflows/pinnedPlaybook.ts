/**
 * The playbook a workflow pins, shared across the worker's cached workflows.
 *
 * Each onboarding carries its playbook in its start input (and through
 * continue-as-new and the migration Update), so every cached workflow would hold
 * its own deserialized copy: about 33 KB of heap each. Partners pinned to the
 * same published version hold the same content, so the worker keeps one frozen
 * instance per version and hash, and a workflow pins that instance instead of its
 * copy.
 *
 * Sharing never changes which playbook a partner runs: an instance is shared only
 * with a copy whose content (its canonical JSON, which the published hash is
 * computed from: client/playbooks.ts) is identical to it. A copy that differs
 * (another hash, or no hash and other content under the same version) keeps its
 * own object. This module is shared across workflows (workflows/shared.ts); its
 * map is the only state it holds, and what it holds depends on the content alone.
 */
import { canonicalJson } from './domain/migrate';
import type { PinnedPlaybook } from './domain/state';

/** Published versions a worker is likely to hold at once; past this, copies are kept unshared. */
export const MAX_SHARED_PLAYBOOKS = 64;

const shared = new Map<string, { json: string; playbook: PinnedPlaybook }>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * `playbook`, or the worker's shared instance of the same version and hash when
 * its content is identical. `hash`: the published hash the partner is pinned to
 * (absent for partners started before versions were published).
 */
export function pinnedPlaybook(playbook: PinnedPlaybook, hash: string | undefined): PinnedPlaybook {
  const key = `${playbook.version}\u0000${hash ?? ''}`;
  const json = canonicalJson(playbook);
  const held = shared.get(key);
  if (held) return held.json === json ? held.playbook : playbook;
  if (shared.size >= MAX_SHARED_PLAYBOOKS) return playbook;
  shared.set(key, { json, playbook: deepFreeze(playbook) });
  return playbook;
}

/** How many instances the worker shares (for tests and benchmarks). */
export function sharedPlaybookCount(): number {
  return shared.size;
}
