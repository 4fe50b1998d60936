/**
 * One account's registry, as a pure state machine: who holds the account (the
 * first partner to register it, or the direct team), every registration, and
 * every conflict. The `accountRegistry` workflow (../accountRegistry.ts) runs
 * one per account key and feeds it Updates and signals one at a time, so two
 * registrations arriving in the same millisecond are still ordered: exactly one
 * of them holds the account, the other opens exactly one conflict.
 *
 * Every function is deterministic, takes the time as `nowMs`, never mutates its
 * input, and returns the notices the other partners' workflows must get.
 */
import type { AccountConflict, AccountEvent, AccountState, ConflictDecision, ConflictRule, PartyRef } from './schema';
import type { AccountKey, AddressedNotice, ClaimAnswer, ConflictNotice, PartnerClaim, ReleaseRequest } from './types';

export const REGISTRY_LIMITS = { claims: 500, conflicts: 200, seenEvents: 1000 } as const;

/** `direct`, or `partner:<partnerId>`. */
type PartyKey = string;

interface ClaimRecord {
  claim: PartnerClaim;
  status: 'held' | 'contested' | 'rejected' | 'released';
  conflictId?: string;
  /** As first answered: a retried claim gets the same answer. */
  answer: ClaimAnswer;
}

interface ConflictRecord extends AccountConflict {
  /** The side that tells the escalation channel. */
  reporter: 'holder' | 'challenger';
}

interface DirectOwnership {
  owner: string;
  since: string;
  crmId?: string;
}

export interface RegistryState {
  v: 1;
  account: AccountKey;
  holder: PartyKey | null;
  direct: DirectOwnership | null;
  claims: ClaimRecord[];
  conflicts: ConflictRecord[];
  /** Conflicts opened so far: the next one is `<key>#<seq + 1>`. */
  seq: number;
  /** Direct-team event ids already applied. */
  seenEvents: string[];
}

export interface RegistryStep {
  state: RegistryState;
  notices: AddressedNotice[];
}

/** The direct team's rule comes with its event (the API's playbook); a partner's with its claim. */
export type DirectOwnershipInput = AccountEvent & { rule: ConflictRule };

const DIRECT = 'direct';
const partnerKey = (partnerId: string): PartyKey => `partner:${partnerId}`;
const iso = (ms: number) => new Date(ms).toISOString();

export function initRegistry(account: AccountKey): RegistryState {
  return { v: 1, account, holder: null, direct: null, claims: [], conflicts: [], seq: 0, seenEvents: [] };
}

function clone(s: RegistryState): RegistryState {
  return JSON.parse(JSON.stringify(s)) as RegistryState;
}

function findClaim(s: RegistryState, partnerId: string, opportunityId: string): ClaimRecord | undefined {
  return s.claims.find((r) => r.claim.partnerId === partnerId && r.claim.opportunityId === opportunityId);
}

function heldBy(s: RegistryState, partnerId: string): ClaimRecord[] {
  return s.claims.filter((r) => r.claim.partnerId === partnerId && r.status === 'held');
}

/** A side as the other side's manager sees it: the partner's held registrations, the first one's details. */
function partyRef(s: RegistryState, party: PartyKey, claims?: PartnerClaim[]): PartyRef {
  if (party === DIRECT) {
    const d = s.direct ?? { owner: 'direct sales team', since: iso(0) };
    return { kind: 'direct', owner: d.owner, since: d.since, ...(d.crmId ? { crmId: d.crmId } : {}) };
  }
  const list = claims ?? heldBy(s, party.slice('partner:'.length)).map((r) => r.claim);
  const first = [...list].sort((a, b) => a.registeredAt.localeCompare(b.registeredAt))[0]!;
  return {
    kind: 'partner',
    partnerId: first.partnerId,
    name: first.partner.name,
    manager: first.partner.manager,
    opportunityIds: list.map((c) => c.opportunityId),
    ...(first.account !== undefined ? { account: first.account } : {}),
    ...(first.amount !== undefined ? { amount: first.amount } : {}),
    registeredAt: first.registeredAt,
  };
}

const keyOf = (ref: PartyRef): PartyKey => (ref.kind === 'direct' ? DIRECT : partnerKey(ref.partnerId));

function pushBounded<T>(list: T[], item: T, max: number, droppable: (x: T) => boolean): void {
  list.push(item);
  while (list.length > max) {
    const i = list.findIndex(droppable);
    if (i < 0) break;
    list.splice(i, 1);
  }
}

/** One side's notice of a conflict at a stage. */
function noticeFor(s: RegistryState, c: ConflictRecord, role: 'holder' | 'challenger', stage: ConflictNotice['stage'], atMs: number): ConflictNotice {
  const mine = role === 'holder' ? c.holder : c.challenger;
  const other = role === 'holder' ? c.challenger : c.holder;
  const outcome: ConflictNotice['outcome'] =
    stage === 'resolved'
      ? c.winner === role
        ? 'won'
        : 'lost'
      : c.rule === 'manager_decides'
        ? 'awaiting_decision'
        : role === 'holder'
          ? 'kept'
          : 'rejected';
  return {
    conflictId: c.conflictId,
    account: s.account,
    stage,
    role,
    outcome,
    rule: c.rule,
    opportunityIds: mine.kind === 'partner' ? mine.opportunityIds : [],
    other,
    escalate: c.reporter === role,
    at: iso(atMs),
    ...(stage === 'resolved' && c.decidedBy ? { decidedBy: c.decidedBy } : {}),
    ...(stage === 'resolved' && c.note ? { note: c.note } : {}),
  };
}

/** The notices of a stage for the partner sides of a conflict, except `skip` (who learns it from its answer). */
function notices(s: RegistryState, c: ConflictRecord, stage: ConflictNotice['stage'], atMs: number, skip?: 'holder' | 'challenger'): AddressedNotice[] {
  return (['holder', 'challenger'] as const)
    .filter((role) => role !== skip)
    .flatMap((role) => {
      const side = role === 'holder' ? c.holder : c.challenger;
      return side.kind === 'partner' ? [{ partnerId: side.partnerId, notice: noticeFor(s, c, role, stage, atMs) }] : [];
    });
}

/** Opens a conflict between the current holder and a challenger; the rule may decide it at once. */
function openConflict(s: RegistryState, challenger: PartyRef, rule: ConflictRule, nowMs: number): ConflictRecord {
  const decided = rule === 'first_registration_wins';
  const c: ConflictRecord = {
    conflictId: `${s.account.key}#${++s.seq}`,
    rule,
    status: decided ? 'resolved' : 'open',
    holder: partyRef(s, s.holder!),
    challenger,
    openedAt: iso(nowMs),
    ...(decided ? { winner: 'holder' as const, decidedAt: iso(nowMs), decidedBy: 'playbook rule: first registration wins' } : {}),
    // The side whose arrival caused the conflict reports it, unless that is the direct team (it has no workflow).
    reporter: challenger.kind === 'partner' ? 'challenger' : 'holder',
  };
  pushBounded(s.conflicts, c, REGISTRY_LIMITS.conflicts, (x) => x.status === 'resolved');
  return c;
}

/**
 * A partner's registration. Nobody holds the account, or this partner does:
 * `held`. Someone else does: a conflict, decided at once by `first_registration_wins`
 * (this registration is rejected) or left to a manager (`manager_decides`). The
 * holder's workflow gets a notice; this one learns it from the answer. A claim
 * seen before gets its first answer again.
 */
export function claimAccount(state: RegistryState, claim: PartnerClaim, nowMs: number): RegistryStep & { answer: ClaimAnswer } {
  const seen = findClaim(state, claim.partnerId, claim.opportunityId);
  if (seen) return { state, notices: [], answer: seen.answer };
  const s = clone(state);
  const party = partnerKey(claim.partnerId);
  const keep = (r: ClaimRecord) => pushBounded(s.claims, r, REGISTRY_LIMITS.claims, (x) => x.status === 'rejected' || x.status === 'released');
  if (s.holder === null || s.holder === party) {
    s.holder = party;
    const answer: ClaimAnswer = { opportunityId: claim.opportunityId, account: s.account, status: 'held' };
    keep({ claim, status: 'held', answer });
    return { state: s, notices: [], answer };
  }
  const c = openConflict(s, partyRef(s, party, [claim]), claim.rule, nowMs);
  const answer: ClaimAnswer = { opportunityId: claim.opportunityId, account: s.account, status: 'conflict', notice: noticeFor(s, c, 'challenger', 'flagged', nowMs) };
  keep({ claim, status: c.status === 'open' ? 'contested' : 'rejected', conflictId: c.conflictId, answer });
  return { state: s, notices: notices(s, c, 'flagged', nowMs, 'challenger'), answer };
}

/**
 * The CRM says the direct team owns the account (or no longer does). Owning an
 * account nobody holds makes the direct team its holder; owning one a partner
 * holds opens a conflict with that partner (once per holder), decided by `rule`.
 * Ending ownership frees the account and decides its open conflicts for the partners.
 */
export function recordDirectOwnership(state: RegistryState, event: DirectOwnershipInput, nowMs: number): RegistryStep & { applied: boolean } {
  if (state.seenEvents.includes(event.eventId)) return { state, notices: [], applied: false };
  const s = clone(state);
  pushBounded(s.seenEvents, event.eventId, REGISTRY_LIMITS.seenEvents, () => true);
  const out: AddressedNotice[] = [];
  if (event.type === 'direct_ownership_claimed') {
    const { owner, crmId } = event.data;
    s.direct = { owner: owner ?? s.direct?.owner ?? 'direct sales team', since: s.direct?.since ?? event.occurredAt ?? iso(nowMs), ...(crmId ? { crmId } : {}) };
    if (s.holder === null) s.holder = DIRECT;
    else if (s.holder !== DIRECT) {
      const holder = s.holder;
      const known = s.conflicts.some((c) => c.challenger.kind === 'direct' && keyOf(c.holder) === holder);
      if (!known) out.push(...notices(s, openConflict(s, partyRef(s, DIRECT), event.rule, nowMs), 'flagged', nowMs));
    }
  } else {
    s.direct = null;
    if (s.holder === DIRECT) s.holder = null;
    for (const c of s.conflicts) {
      if (c.status !== 'open' || (c.holder.kind !== 'direct' && c.challenger.kind !== 'direct')) continue;
      out.push(...resolve(s, c, c.holder.kind === 'direct' ? 'challenger' : 'holder', 'direct ownership ended', undefined, nowMs));
    }
  }
  return { state: s, notices: out, applied: true };
}

/** Why a decision cannot be applied now, or null when it can. */
export function checkDecision(state: RegistryState, d: ConflictDecision): string | null {
  const c = state.conflicts.find((x) => x.conflictId === d.conflictId);
  if (!c) return `no conflict '${d.conflictId}' on ${state.account.label}`;
  if (c.status === 'resolved') return `conflict '${d.conflictId}' is already decided (${c.decidedBy ?? 'by its rule'})`;
  const sides = winnerSides(c, d.winner);
  if (sides.length !== 1) {
    const names = [c.holder, c.challenger].map((p) => (p.kind === 'direct' ? 'direct' : p.partnerId)).join(' or ');
    return sides.length ? `winner '${d.winner}' is ambiguous in conflict '${d.conflictId}'` : `winner must be ${names}`;
  }
  return null;
}

function winnerSides(c: ConflictRecord, winner: string): ('holder' | 'challenger')[] {
  return (['holder', 'challenger'] as const).filter((role) => {
    const side = role === 'holder' ? c.holder : c.challenger;
    return side.kind === 'direct' ? winner === DIRECT : side.partnerId === winner;
  });
}

/** A manager's decision (checked with `checkDecision` first): the winner holds the account, the loser's registrations are rejected. */
export function decideConflict(state: RegistryState, d: ConflictDecision, nowMs: number): RegistryStep {
  if (checkDecision(state, d) !== null) return { state, notices: [] };
  const s = clone(state);
  const c = s.conflicts.find((x) => x.conflictId === d.conflictId)!;
  return { state: s, notices: resolve(s, c, winnerSides(c, d.winner)[0]!, d.by ?? 'a manager', d.note, nowMs) };
}

/** Decides `c` for `winner` (mutates `s`), moving the holder and the claims; returns both sides' notices. */
function resolve(s: RegistryState, c: ConflictRecord, winner: 'holder' | 'challenger', by: string, note: string | undefined, nowMs: number): AddressedNotice[] {
  Object.assign(c, { status: 'resolved', winner, decidedAt: iso(nowMs), decidedBy: by, ...(note ? { note } : {}) });
  const win = winner === 'holder' ? c.holder : c.challenger;
  const lose = winner === 'holder' ? c.challenger : c.holder;
  s.holder = keyOf(win);
  for (const r of s.claims) {
    const mine = (side: PartyRef) => side.kind === 'partner' && side.partnerId === r.claim.partnerId;
    if (mine(lose) && (r.status === 'held' || r.status === 'contested')) r.status = 'rejected';
    if (mine(win) && r.status === 'contested' && r.conflictId === c.conflictId) r.status = 'held';
  }
  return notices(s, c, 'resolved', nowMs);
}

/**
 * A registration was lost or disqualified: the partner no longer needs the
 * account. Once it holds nothing here, the account goes back to the direct
 * team (if it owns it) or is free; its open conflicts go to the other side.
 */
export function releaseClaim(state: RegistryState, release: ReleaseRequest, nowMs: number): RegistryStep {
  const record = findClaim(state, release.partnerId, release.opportunityId);
  if (!record || record.status === 'released' || record.status === 'rejected') return { state, notices: [] };
  const s = clone(state);
  findClaim(s, release.partnerId, release.opportunityId)!.status = 'released';
  const party = partnerKey(release.partnerId);
  const stillHeld = heldBy(s, release.partnerId).length > 0;
  const stillContested = s.claims.some((r) => r.claim.partnerId === release.partnerId && r.status === 'contested');
  if (s.holder === party && !stillHeld) s.holder = s.direct ? DIRECT : null;
  const out: AddressedNotice[] = [];
  for (const c of s.conflicts) {
    if (c.status !== 'open') continue;
    const side = keyOf(c.holder) === party ? 'holder' : keyOf(c.challenger) === party ? 'challenger' : null;
    if (!side || (side === 'holder' ? stillHeld : stillContested)) continue;
    out.push(...resolve(s, c, side === 'holder' ? 'challenger' : 'holder', 'registration withdrawn', undefined, nowMs).filter((n) => n.partnerId !== release.partnerId));
  }
  return { state: s, notices: out };
}

/** The account's state as the API shows it. */
export function accountView(s: RegistryState): AccountState {
  return {
    account: s.account,
    holder: s.holder === null ? null : partyRef(s, s.holder),
    direct: s.direct,
    claims: s.claims.map((r) => ({
      partnerId: r.claim.partnerId,
      opportunityId: r.claim.opportunityId,
      ...(r.claim.account !== undefined ? { account: r.claim.account } : {}),
      registeredAt: r.claim.registeredAt,
      status: r.status,
      ...(r.conflictId ? { conflictId: r.conflictId } : {}),
    })),
    conflicts: s.conflicts.map(({ reporter: _reporter, ...c }) => c),
  };
}
