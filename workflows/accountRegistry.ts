/**
 * `accountRegistry`: one long-lived workflow per account key (id
 * `account-<key>`), the single place that decides who registered an account
 * first. Partner workflows reach it through their account activity with
 * update-with-start (`claimAccount`), the CRM through the API
 * (`recordDirectOwnership`), managers with `decideAccountConflict`. Temporal
 * runs its handlers one at a time, so concurrent registrations are ordered
 * without locks or scans: exactly one holds the account, each later one opens
 * exactly one conflict.
 *
 * It tells the other side of a conflict with one `accountConflict` signal to
 * that partner's workflow. It has no timers and no activities: while nobody
 * registers the account it costs nothing, and it continues-as-new when its
 * history grows. The logic is the pure registry in ./accounts/registry.ts.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { accountKey, type AccountKey } from './accounts/keys';
import {
  accountConflictSignal,
  accountStateQuery,
  claimAccountUpdate,
  decideAccountConflictUpdate,
  directOwnershipUpdate,
  releaseAccountClaimSignal,
} from './accounts/messages';
import {
  accountView,
  checkDecision,
  claimAccount,
  decideConflict,
  initRegistry,
  recordDirectOwnership,
  releaseClaim,
  type DirectOwnershipInput,
  type RegistryState,
  type RegistryStep,
} from './accounts/registry';
import type { ConflictDecision } from './accounts/schema';
import type { AddressedNotice, ClaimRequest } from './accounts/types';
import { onboardingWorkflowId } from './messages';

export interface AccountRegistryInput {
  account: AccountKey;
  /** State carried over by continue-as-new. */
  carried?: RegistryState;
}

/** Continue-as-new well before Temporal's history warnings (each claim adds about 5 events). */
const MAX_HISTORY_EVENTS = 2000;

export async function accountRegistry(input: AccountRegistryInput): Promise<void> {
  let state = input.carried ?? initRegistry(input.account);
  const outbox: AddressedNotice[] = [];
  const apply = (step: RegistryStep) => {
    state = step.state;
    outbox.push(...step.notices);
    describe(state);
  };
  describe(state);

  setHandler(
    claimAccountUpdate,
    (request) => {
      const step = claimAccount(state, request.claim, Date.now());
      apply(step);
      return step.answer;
    },
    { validator: (request) => refuse(claimProblem(state, request)) },
  );
  setHandler(
    directOwnershipUpdate,
    (event) => {
      apply(recordDirectOwnership(state, event, Date.now()));
      return accountView(state);
    },
    { validator: (event) => refuse(directProblem(state, event)) },
  );
  setHandler(
    decideAccountConflictUpdate,
    (decision) => {
      apply(decideConflict(state, decision, Date.now()));
      return accountView(state);
    },
    { validator: (decision) => refuse(decisionProblem(decision) ?? checkDecision(state, decision)) },
  );
  setHandler(releaseAccountClaimSignal, (release) => {
    if (typeof release?.partnerId === 'string' && typeof release.opportunityId === 'string') apply(releaseClaim(state, release, Date.now()));
  });
  setHandler(accountStateQuery, () => accountView(state));

  const rollOver = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;
  for (;;) {
    await condition(() => outbox.length > 0 || rollOver());
    while (outbox.length) await tell(outbox.shift()!);
    if (!rollOver()) continue;
    await condition(allHandlersFinished);
    if (outbox.length) continue;
    await continueAsNew<typeof accountRegistry>({ account: state.account, carried: state });
  }
}

/** One signal to the partner's workflow (its latest run). A partner that is gone is logged, not retried. */
async function tell({ partnerId, notice }: AddressedNotice): Promise<void> {
  try {
    await getExternalWorkflowHandle(onboardingWorkflowId(partnerId)).signal(accountConflictSignal, notice);
  } catch (err) {
    log.warn('conflict notice not delivered: no running onboarding for the partner', {
      partnerId,
      conflictId: notice.conflictId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/** What an operator sees in the Temporal UI. */
function describe(s: RegistryState): void {
  const holder = s.holder === null ? 'free' : `held by ${s.holder}`;
  const open = s.conflicts.filter((c) => c.status === 'open').length;
  setCurrentDetails(`Account **${s.account.label}** (${s.account.by}): ${holder}; ${s.claims.length} registrations, ${s.conflicts.length} conflicts (${open} open)`);
}

/** A refused Update leaves no trace in the history; the caller gets the reason. */
function refuse(problem: string | null): void {
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'AccountRequestRefused');
}

const text = (v: unknown, max = 200) => typeof v === 'string' && v.length > 0 && v.length <= max;

function claimProblem(s: RegistryState, request: ClaimRequest): string | null {
  const c = request?.claim;
  if (!c || !text(c.partnerId, 64) || !text(c.opportunityId, 128) || !text(c.registeredAt, 64) || !c.partner || !c.partner.manager) {
    return 'claim: needs partnerId, opportunityId, registeredAt and partner';
  }
  if (c.rule !== 'first_registration_wins' && c.rule !== 'manager_decides') return `claim.rule: unknown rule '${String(c.rule)}'`;
  if (request.account?.key !== s.account.key) return `account: '${String(request.account?.key)}' is not this registry's account '${s.account.key}'`;
  return null;
}

function directProblem(s: RegistryState, event: DirectOwnershipInput): string | null {
  if (!event || !text(event.eventId, 128)) return 'eventId: required';
  if (event.type !== 'direct_ownership_claimed' && event.type !== 'direct_ownership_released') return `type: unknown '${String(event.type)}'`;
  if (event.rule !== 'first_registration_wins' && event.rule !== 'manager_decides') return `rule: unknown rule '${String(event.rule)}'`;
  const key = accountKey(event.data ?? {});
  if (key?.key !== s.account.key) return `data: names account '${key?.key ?? '(none)'}', not this registry's '${s.account.key}'`;
  return null;
}

function decisionProblem(d: ConflictDecision): string | null {
  if (!d || !text(d.conflictId, 300)) return 'conflictId: required';
  if (!text(d.winner, 64)) return 'winner: required (a partnerId, or direct)';
  return null;
}
