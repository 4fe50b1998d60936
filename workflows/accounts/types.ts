/**
 * The account registry's shapes: what a partner workflow claims, what the
 * registry answers, and what it tells the other side of a conflict. The shapes
 * the API serves (the account's state, the partner's conflicts, the direct
 * team's events, decisions) are zod schemas in ./schema.ts; these are the
 * internal messages between our own workflows and activity.
 *
 * Pure module, types only at run time (plus the list of rules).
 */
import type { AccountKey } from './keys';
import type { ConflictRule, PartyRef } from './schema';

export type { AccountKey, ConflictRule, PartyRef };

/** A partner's registration of an opportunity for an account, as the registry records it. */
export interface PartnerClaim {
  partnerId: string;
  opportunityId: string;
  /** The account as the partner named it, and the domain when given. */
  account?: string;
  domain?: string;
  amount?: number;
  /** When the partner registered it (ISO-8601). */
  registeredAt: string;
  partner: { name: string; manager: { name: string; email: string } };
  /** The claimant's pinned playbook's rule: it decides the conflict this claim opens. */
  rule: ConflictRule;
}

/** The `claimAccount` Update's argument. */
export interface ClaimRequest {
  account: AccountKey;
  claim: PartnerClaim;
}

export type ConflictOutcome = 'kept' | 'rejected' | 'awaiting_decision' | 'won' | 'lost';

/**
 * One side's view of a conflict, as that side's partner workflow learns it: in
 * the registry's answer to its claim, or by the `accountConflict` signal.
 */
export interface ConflictNotice {
  conflictId: string;
  account: AccountKey;
  /** `flagged` when the conflict opens; `resolved` when a manager decides it, or a side withdraws. */
  stage: 'flagged' | 'resolved';
  /** `holder`: this partner held the account first; `challenger`: this partner's registration came later. */
  role: 'holder' | 'challenger';
  /**
   * flagged: `kept` (holder, first registration wins), `rejected` (challenger, first
   * registration wins) or `awaiting_decision` (a manager decides);
   * resolved: `won` or `lost`.
   */
  outcome: ConflictOutcome;
  rule: ConflictRule;
  /** This partner's opportunities the conflict is about. */
  opportunityIds: string[];
  /** The other side: a partner (for managers' eyes only) or the direct team. */
  other: PartyRef;
  /** Exactly one side of each conflict tells the escalation channel: the side whose arrival caused it, unless that is the direct team. */
  escalate: boolean;
  /** When this stage happened (ISO-8601). */
  at: string;
  decidedBy?: string;
  note?: string;
}

/** The registry's answer to a claim. */
export interface ClaimAnswer {
  opportunityId: string;
  account: AccountKey;
  /** `held`: the partner holds the account (alone, or with its own earlier registrations). */
  status: 'held' | 'conflict';
  notice?: ConflictNotice;
}

/** A notice for another partner's workflow (sent as the `accountConflict` signal). */
export interface AddressedNotice {
  partnerId: string;
  notice: ConflictNotice;
}

/** The `releaseAccountClaim` signal: a held registration was lost or disqualified. */
export interface ReleaseRequest {
  partnerId: string;
  opportunityId: string;
}

/** What the partner workflow hands its account activity in one go. */
export interface AccountSettlement {
  claims: ClaimRequest[];
  releases: { account: AccountKey; release: ReleaseRequest }[];
}

export interface AccountSettlementResult {
  answers: ClaimAnswer[];
  /** Claims the registry could not answer for good (a permanent error): counted as registered, unchecked. */
  unchecked: { opportunityId: string; error: string }[];
}
