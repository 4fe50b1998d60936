import { advance, applyEvent, initState } from '../../workflows/domain';
import { clone, type PinnedPlaybook } from '../../workflows/domain/state';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { MAX_SHARED_PLAYBOOKS, pinnedPlaybook, sharedPlaybookCount } from '../../workflows/pinnedPlaybook';
import { playbookHash } from '../../client/playbooks';
import { T0, profile } from './harness';

/** A start input's copy of a playbook, as the payload converter deserializes it. */
const copyOf = (p: PinnedPlaybook): PinnedPlaybook => JSON.parse(JSON.stringify(p)) as PinnedPlaybook;
const HASH = playbookHash(DEFAULT_PLAYBOOK);

describe('the pinned playbook', () => {
  it('is one shared, frozen instance for every copy of the same version, hash and content', () => {
    const first = copyOf(DEFAULT_PLAYBOOK);
    const second = copyOf(DEFAULT_PLAYBOOK);
    expect(pinnedPlaybook(first, HASH)).toBe(first);
    expect(pinnedPlaybook(second, HASH)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.segments.core.milestones[0])).toBe(true);
    expect(Object.isFrozen(second)).toBe(false);
  });

  it('keeps a partner on exactly its own content: another hash or other content under the same key is never shared', () => {
    const shared = pinnedPlaybook(copyOf(DEFAULT_PLAYBOOK), HASH);
    // The same version published elsewhere with other content (another hash).
    const other = { ...copyOf(DEFAULT_PLAYBOOK), passMark: DEFAULT_PLAYBOOK.passMark - 1 };
    const otherHash = playbookHash(other as typeof DEFAULT_PLAYBOOK);
    expect(pinnedPlaybook(other, otherHash)).toBe(other);
    expect(pinnedPlaybook(copyOf(other), otherHash)).toBe(other);
    // A start input whose hash does not match its content keeps its own copy.
    const lying = copyOf(other);
    const pinned = pinnedPlaybook(lying, HASH);
    expect(pinned).toBe(lying);
    expect(pinned.passMark).toBe(DEFAULT_PLAYBOOK.passMark - 1);
    // Key order does not make content differ (the hash's canonical JSON).
    const reordered = Object.fromEntries(Object.entries(copyOf(DEFAULT_PLAYBOOK)).reverse()) as PinnedPlaybook;
    expect(pinnedPlaybook(reordered, HASH)).toBe(shared);
  });

  it('shares partners started before versions were published (no hash) only with the same content', () => {
    const old = { ...copyOf(DEFAULT_PLAYBOOK), version: 'custom-1', passMark: 70 };
    expect(pinnedPlaybook(old, undefined)).toBe(old);
    expect(pinnedPlaybook(copyOf(old), undefined)).toBe(old);
    const changed = { ...copyOf(old), passMark: 71 };
    expect(pinnedPlaybook(changed, undefined)).toBe(changed);
  });

  it('holds a bounded number of instances; past the bound, copies stay unshared', () => {
    for (let i = 0; sharedPlaybookCount() < MAX_SHARED_PLAYBOOKS; i++) pinnedPlaybook({ ...copyOf(DEFAULT_PLAYBOOK), version: `fill-${i}` }, undefined);
    const late = { ...copyOf(DEFAULT_PLAYBOOK), version: 'late-1' };
    expect(pinnedPlaybook(late, undefined)).toBe(late);
    expect(pinnedPlaybook(copyOf(late), undefined)).not.toBe(late);
    expect(sharedPlaybookCount()).toBe(MAX_SHARED_PLAYBOOKS);
  });

  it('is shared by every state the domain derives, never copied', () => {
    const s = initState(profile(), DEFAULT_PLAYBOOK, T0);
    const copy = clone(s);
    expect(copy.playbook).toBe(s.playbook);
    expect(copy).toEqual(s);
    expect(copy.completions).not.toBe(s.completions);
    const next = applyEvent(s, { eventId: 'k1', type: 'kickoff_completed' }, T0);
    expect(next.playbook).toBe(DEFAULT_PLAYBOOK);
    expect(advance(next, T0 + 1).state.playbook).toBe(DEFAULT_PLAYBOOK);
  });
});
