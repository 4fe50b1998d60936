/**
 * Registrations against the account registry, on the partner's side.
 *
 * A registration that names an account (`account` or `domain`) is checked with
 * the registry (../accountRegistry.ts) before it counts: it is registered at
 * once (its SLA clock runs), queued here as `pending`, and the shell hands the
 * queue to its account activity. The answer comes back through
 * `recordSettlement`: `held` counts the registration; a conflict records the
 * conflict and, by the playbook's rule, rejects the registration (first
 * registration wins) or leaves it waiting for a manager's decision. The other
 * side of a conflict hears from the registry through `applyConflictNotice`.
 * Registrations without an account never reach the registry and count at once.
 *
 * Each conflict becomes a lifecycle fact (`account_conflict`,
 * `account_conflict_resolved`) for the playbook's notification rules.
 */
import type { AccountKey } from '../accounts/keys';
import { accountKey } from '../accounts/keys';
import type { PartnerConflict } from '../accounts/schema';
import type { AccountSettlement, AccountSettlementResult, ClaimAnswer, ConflictNotice, PartnerClaim } from '../accounts/types';
import { completeDerived } from './milestones';
import { progress } from './progress';
import { LIMITS, activeManager, addOccurrence, clone, iso, pushBounded, type DomainState, type Opportunity } from './state';

/** Where a registration stands with the registry. */
export type AccountCheckStatus = 'pending' | 'held' | 'conflict' | 'unchecked';

export interface AccountCheck {
  opportunityId: string;
  account: AccountKey;
  domain?: string;
  status: AccountCheckStatus;
  /** The registration's moment: it counts as of then. */
  atMs: number;
  counted: boolean;
  conflictId?: string;
  /** Why it was not checked (the registry could not be reached for good). */
  error?: string;
}

export interface AccountsState {
  checks: AccountCheck[];
  /** Held registrations lost or disqualified since: the registry frees the account. */
  releases: { opportunityId: string; account: AccountKey }[];
  conflicts: PartnerConflict[];
  /** `<conflictId>:<stage>` of every notice applied. */
  seen: string[];
}

const BOUNDS = { checks: 500, conflicts: 200, seen: 1000 } as const;
const CLOSED = ['won', 'lost', 'disqualified'];

function accounts(s: DomainState): AccountsState {
  s.accounts ??= { checks: [], releases: [], conflicts: [], seen: [] };
  return s.accounts;
}

function check(s: DomainState, opportunityId: string): AccountCheck | undefined {
  return s.accounts?.checks.find((c) => c.opportunityId === opportunityId);
}

/**
 * A registration counts: toward the plan's registration milestones, the time
 * to first registration, and the first-registration nudge.
 */
export function countRegistration(s: DomainState, opportunityId: string, atMs: number): void {
  s.registrations += 1;
  s.firsts.registration = Math.min(s.firsts.registration ?? atMs, atMs);
  // "Dedicated first deal support from partner success": the first registration gets the best resources.
  if (s.registrations === 1) addOccurrence(s, { trigger: 'first_registration', id: '', atMs, data: { opportunityId } });
}

/**
 * Queues the registration of `o` for the registry when it names an account;
 * returns false when it does not (it then counts at once).
 */
export function queueAccountClaim(s: DomainState, o: Opportunity, data: { account?: string; domain?: string }, atMs: number): boolean {
  const account = accountKey(data);
  if (!account) return false;
  const a = accounts(s);
  a.checks = a.checks.filter((c) => c.opportunityId !== o.opportunityId);
  const entry: AccountCheck = { opportunityId: o.opportunityId, account, ...(data.domain ? { domain: data.domain } : {}), status: 'pending', atMs, counted: false };
  pushBounded(a.checks, entry, BOUNDS.checks);
  return true;
}

/** A held registration was closed (lost, disqualified): tell the registry the account is free. */
export function queueAccountRelease(s: DomainState, o: Opportunity): void {
  const c = check(s, o.opportunityId);
  if (c?.status === 'held' && o.status !== 'won') accounts(s).releases.push({ opportunityId: o.opportunityId, account: c.account });
}

/** What the shell must send to the registry now, or null. */
export function accountWork(s: DomainState): AccountSettlement | null {
  const a = s.accounts;
  if (!a) return null;
  const pending = a.checks.filter((c) => c.status === 'pending');
  if (!pending.length && !a.releases.length) return null;
  const { partnerId, name } = s.profile;
  const manager = activeManager(s);
  const rule = s.playbook.accountConflicts?.rule ?? 'first_registration_wins';
  return {
    claims: pending.map((c) => {
      const o = s.opportunities.find((x) => x.opportunityId === c.opportunityId);
      const claim: PartnerClaim = {
        partnerId,
        opportunityId: c.opportunityId,
        ...(o?.account !== undefined ? { account: o.account } : {}),
        ...(c.domain !== undefined ? { domain: c.domain } : {}),
        ...(o?.amount !== undefined ? { amount: o.amount } : {}),
        registeredAt: iso(c.atMs),
        partner: { name, manager: { name: manager.name, email: manager.email } },
        rule,
      };
      return { account: c.account, claim };
    }),
    releases: a.releases.map((r) => ({ account: r.account, release: { partnerId, opportunityId: r.opportunityId } })),
  };
}

/**
 * Histories recorded before the registry existed: registrations counted at once.
 * The shell settles the queue this way when `patched()` says the run predates it.
 */
export function settleWithoutRegistry(state: DomainState, nowMs: number): DomainState {
  const s = clone(state);
  const a = accounts(s);
  for (const c of a.checks.filter((x) => x.status === 'pending')) settle(s, c, 'unchecked');
  a.releases = [];
  progress(s, nowMs);
  return s;
}

/** The registry's answers to `work` (and the claims it could not check) into the state. */
export function recordSettlement(state: DomainState, work: AccountSettlement, result: AccountSettlementResult, nowMs: number): DomainState {
  const s = clone(state);
  const a = accounts(s);
  const sent = new Set(work.releases.map((r) => r.release.opportunityId));
  a.releases = a.releases.filter((r) => !sent.has(r.opportunityId));
  for (const answer of result.answers) applyAnswer(s, answer, nowMs);
  for (const { opportunityId, error } of result.unchecked) {
    const c = check(s, opportunityId);
    if (c?.status === 'pending') {
      c.error = error;
      settle(s, c, 'unchecked');
    }
  }
  progress(s, nowMs);
  return s;
}

function applyAnswer(s: DomainState, answer: ClaimAnswer, nowMs: number): void {
  const c = check(s, answer.opportunityId);
  if (!c || c.status !== 'pending') return; // settled already (a notice came first)
  if (answer.status === 'held' || !answer.notice) settle(s, c, 'held');
  else applyNotice(s, answer.notice, nowMs);
}

/** Marks a check settled; a held or unchecked registration counts (once), as of its moment. */
function settle(s: DomainState, c: AccountCheck, status: Exclude<AccountCheckStatus, 'pending'>): void {
  c.status = status;
  if ((status === 'held' || status === 'unchecked') && !c.counted) {
    c.counted = true;
    countRegistration(s, c.opportunityId, c.atMs);
    completeDerived(s, c.atMs);
  }
  // Closed while the registry was asked: free the account again.
  const o = s.opportunities.find((x) => x.opportunityId === c.opportunityId);
  if (status === 'held' && o && (o.status === 'lost' || o.status === 'disqualified')) queueAccountRelease(s, o);
}

/**
 * The registry's notice of a conflict about one of this partner's registrations
 * (the `accountConflict` signal). Checked, never trusted; a notice applied
 * before changes nothing; a malformed one is recorded in rejectedEvents.
 */
export function applyConflictNotice(state: DomainState, raw: unknown, nowMs: number): DomainState {
  const problem = noticeProblem(raw);
  const s = clone(state);
  if (problem) {
    pushBounded(s.rejectedEvents, { eventId: '(account registry)', type: 'account_conflict', reason: `invalid conflict notice: ${problem}`, at: iso(nowMs) }, LIMITS.rejectedEvents);
    return s;
  }
  const notice = raw as ConflictNotice;
  if (s.accounts?.seen.includes(`${notice.conflictId}:${notice.stage}`)) return state;
  applyNotice(s, notice, nowMs);
  progress(s, nowMs);
  return s;
}

function applyNotice(s: DomainState, n: ConflictNotice, nowMs: number): void {
  const a = accounts(s);
  const seenKey = `${n.conflictId}:${n.stage}`;
  if (a.seen.includes(seenKey)) return;
  pushBounded(a.seen, seenKey, BOUNDS.seen);

  const decided = n.stage === 'resolved' || n.outcome === 'kept' || n.outcome === 'rejected';
  const existing = a.conflicts.find((x) => x.conflictId === n.conflictId);
  const entry: PartnerConflict = {
    conflictId: n.conflictId,
    account: n.account,
    role: n.role,
    status: decided ? 'resolved' : 'open',
    outcome: n.outcome,
    rule: n.rule,
    opportunityIds: n.opportunityIds,
    other: n.other,
    flaggedAt: existing?.flaggedAt ?? n.at,
    ...(decided ? { decidedAt: n.at } : {}),
    ...(n.decidedBy ? { decidedBy: n.decidedBy } : n.outcome === 'kept' || n.outcome === 'rejected' ? { decidedBy: 'playbook rule: first registration wins' } : {}),
    ...(n.note ? { note: n.note } : {}),
  };
  // A resolution never goes back to open (a late `flagged` after it only fills in the moment it opened).
  if (existing?.status === 'resolved' && n.stage === 'flagged') existing.flaggedAt = n.at;
  else if (existing) Object.assign(existing, entry);
  else pushBounded(a.conflicts, entry, BOUNDS.conflicts);

  const wins = n.outcome === 'kept' || n.outcome === 'won' || (n.outcome === 'awaiting_decision' && n.role === 'holder');
  const loses = n.outcome === 'rejected' || n.outcome === 'lost';
  for (const opportunityId of n.opportunityIds) {
    const c = check(s, opportunityId);
    if (c) {
      c.conflictId = n.conflictId;
      if (wins) settle(s, c, 'held');
      else if (c.status === 'pending' || loses) c.status = 'conflict';
    }
    const o = s.opportunities.find((x) => x.opportunityId === opportunityId);
    // The registration is refused: the opportunity closes (its SLA clock stops); won deals stay won.
    if (loses && o && !CLOSED.includes(o.status)) Object.assign(o, { status: 'disqualified', closedAtMs: nowMs });
  }
  addOccurrence(s, {
    trigger: n.stage === 'flagged' ? 'account_conflict' : 'account_conflict_resolved',
    id: n.conflictId,
    atMs: nowMs,
    data: { notice: n },
  });
}

function noticeProblem(raw: unknown): string | null {
  const n = raw as Partial<ConflictNotice> | null;
  if (typeof n !== 'object' || n === null) return 'must be an object';
  if (typeof n.conflictId !== 'string' || !n.conflictId) return 'conflictId: required';
  if (n.stage !== 'flagged' && n.stage !== 'resolved') return 'stage: must be flagged or resolved';
  if (n.role !== 'holder' && n.role !== 'challenger') return 'role: must be holder or challenger';
  if (!['kept', 'rejected', 'awaiting_decision', 'won', 'lost'].includes(n.outcome as string)) return 'outcome: unknown';
  if (!Array.isArray(n.opportunityIds) || !n.opportunityIds.every((id) => typeof id === 'string')) return 'opportunityIds: must be a list of ids';
  if (typeof n.account?.key !== 'string' || typeof n.other?.kind !== 'string' || typeof n.at !== 'string') return 'account, other and at: required';
  return null;
}

/** The conflicts of the OnboardingState. */
export function conflictViews(s: DomainState): PartnerConflict[] {
  return s.accounts?.conflicts ?? [];
}

/** The opportunity's standing with the registry, for the OnboardingState. */
export function accountCheckView(s: DomainState, opportunityId: string): { accountKey?: string; accountCheck?: AccountCheckStatus; conflictId?: string } {
  const c = check(s, opportunityId);
  return c ? { accountKey: c.account.key, accountCheck: c.status, ...(c.conflictId ? { conflictId: c.conflictId } : {}) } : {};
}

/** Refused by a conflict: not a registration the report counts. */
export function refusedByConflict(s: DomainState, opportunityId: string): boolean {
  const c = check(s, opportunityId);
  return c?.status === 'conflict' && !c.counted;
}
