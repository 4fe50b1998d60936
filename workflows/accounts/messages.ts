/**
 * The account registry's Updates, signals and query, and its workflow id: shared
 * by the registry workflow, the partner workflow, the activity that claims
 * accounts, the API and the tests. No side effects: safe in the workflow bundle.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DirectOwnershipInput } from './registry';
import type { AccountState, ConflictDecision } from './schema';
import type { ClaimAnswer, ClaimRequest, ReleaseRequest } from './types';

export const ACCOUNT_REGISTRY_TYPE = 'accountRegistry';

/** Business key -> workflow id: one registry per account key (`account-initech.example`, `account-initech`). */
export function accountWorkflowId(key: string): string {
  return `account-${key}`;
}

/** A partner's registration (from the partner workflow's account activity, by update-with-start): held, or a conflict. */
export const claimAccountUpdate = defineUpdate<ClaimAnswer, [ClaimRequest]>('claimAccount');
/** The CRM's direct-team ownership (from the API, by update-with-start). */
export const directOwnershipUpdate = defineUpdate<AccountState, [DirectOwnershipInput]>('recordDirectOwnership');
/** A manager decides an open conflict; refused (with the reason) when there is none to decide. */
export const decideAccountConflictUpdate = defineUpdate<AccountState, [ConflictDecision]>('decideAccountConflict');
/** A held registration was lost or disqualified: the account is free again for others. */
export const releaseAccountClaimSignal = defineSignal<[ReleaseRequest]>('releaseAccountClaim');
export const accountStateQuery = defineQuery<AccountState>('accountState');

/** To a partner workflow: a conflict about one of its registrations (a `ConflictNotice`; checked there, never trusted). */
export const accountConflictSignal = defineSignal<[unknown]>('accountConflict');
