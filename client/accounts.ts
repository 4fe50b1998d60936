/**
 * The account registry over @temporalio/client: one `accountRegistry` workflow
 * per account key (`account-<key>`), reached with update-with-start so that the
 * first call for an account starts its registry and every call is answered by
 * it, in order. Used by the partner workflow's account activity (through the
 * port it takes, activities/accounts.ts), the API and the tests.
 */
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createAccountActivities, type AccountActivities, type AccountRegistryPort } from '../activities/accounts';
import type { Playbook } from '../workflows/playbook';
import type { accountRegistry } from '../workflows/accountRegistry';
import { accountKey, accountKeyOf, type AccountKey } from '../workflows/accounts/keys';
import {
  ACCOUNT_REGISTRY_TYPE,
  accountStateQuery,
  accountWorkflowId,
  claimAccountUpdate,
  decideAccountConflictUpdate,
  directOwnershipUpdate,
  releaseAccountClaimSignal,
} from '../workflows/accounts/messages';
import type { AccountEvent, AccountState, ConflictDecision, ConflictRule } from '../workflows/accounts/schema';
import type { ClaimAnswer, ClaimRequest, ReleaseRequest } from '../workflows/accounts/types';
import { InvalidInputError } from './errors';

/** No registry for this account: nobody has registered it, and the CRM never named it. */
export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  constructor(readonly account: string) {
    super(`no registration or direct ownership is known for account ${account}`);
  }
}

/** The registry refused the request (a decision on a conflict that is not open, an unknown winner, ...). */
export class AccountRequestRefusedError extends Error {
  override name = 'AccountRequestRefusedError';
}

export interface AccountsClientOptions {
  taskQueue: string;
  /** The rule for conflicts the direct team's ownership opens: the playbook's `accountConflicts.rule`. */
  rule: ConflictRule;
}

export class AccountsClient implements AccountRegistryPort {
  constructor(
    private readonly client: Client,
    private readonly options: AccountsClientOptions,
  ) {}

  async claim(request: ClaimRequest): Promise<ClaimAnswer | { refused: string }> {
    try {
      return await this.client.workflow.executeUpdateWithStart(claimAccountUpdate, {
        args: [request],
        // A retried claim is the same Update: Temporal answers it from the first one.
        updateId: `claim:${request.claim.partnerId}:${request.claim.opportunityId}`,
        startWorkflowOperation: this.startOperation(request.account),
      });
    } catch (err) {
      const refused = refusal(err);
      if (refused) return { refused };
      throw err;
    }
  }

  async release(account: AccountKey, release: ReleaseRequest): Promise<void> {
    try {
      await this.client.workflow.getHandle(accountWorkflowId(account.key)).signal(releaseAccountClaimSignal, release);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** The CRM's event about the direct team's ownership of an account; the account's state after it. */
  async recordEvent(event: AccountEvent): Promise<AccountState> {
    const account = accountKey(event.data);
    if (!account) throw new InvalidInputError([{ field: 'data.account', message: 'names no account: give a name with letters or digits, or a domain' }]);
    try {
      return await this.client.workflow.executeUpdateWithStart(directOwnershipUpdate, {
        args: [{ ...event, rule: this.options.rule }],
        updateId: `direct:${event.eventId}`,
        startWorkflowOperation: this.startOperation(account),
      });
    } catch (err) {
      const refused = refusal(err);
      if (refused) throw new AccountRequestRefusedError(refused);
      throw err;
    }
  }

  /** Who holds the account, every registration and conflict; `account` as a person types it (a domain or a name). */
  async state(account: string): Promise<AccountState> {
    const key = this.key(account);
    try {
      return await this.client.workflow.getHandle(accountWorkflowId(key.key)).query(accountStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AccountNotFoundError(key.key);
      throw err;
    }
  }

  /** A manager's decision on an open conflict, run as the `decideAccountConflict` Update; the state after it. */
  async decide(account: string, decision: ConflictDecision): Promise<AccountState> {
    const key = this.key(account);
    if (!decision.conflictId.startsWith(`${key.key}#`)) {
      // A well-formed decision the account cannot take: refused like one the registry refuses (409), not a malformed request.
      throw new AccountRequestRefusedError(`${decision.conflictId} is not a conflict of account ${key.key} (its conflict ids read ${key.key}#<n>)`);
    }
    try {
      return await this.client.workflow.getHandle(accountWorkflowId(key.key)).executeUpdate(decideAccountConflictUpdate, { args: [decision] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AccountNotFoundError(key.key);
      const refused = refusal(err);
      if (refused) throw new AccountRequestRefusedError(refused);
      throw err;
    }
  }

  private key(account: string): AccountKey {
    const key = accountKeyOf(account);
    // No account can have this key (no letter or digit, no domain): nobody registered it.
    if (!key) throw new AccountNotFoundError(account);
    return key;
  }

  private startOperation(account: AccountKey) {
    return new WithStartWorkflowOperation<typeof accountRegistry>(ACCOUNT_REGISTRY_TYPE, {
      workflowId: accountWorkflowId(account.key),
      taskQueue: this.options.taskQueue,
      args: [{ account }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Account registry: ${account.label}`,
    });
  }
}

/** The registry's validator refused the Update: its reason. */
function refusal(err: unknown): string | null {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === 'AccountRequestRefused' ? cause.message : null;
}

/** The playbook's rule for account conflicts (absent in playbooks from before it: first registration wins). */
export function conflictRuleOf(playbook: Pick<Playbook, 'accountConflicts'>): ConflictRule {
  return playbook.accountConflicts?.rule ?? 'first_registration_wins';
}

/** The partner workflow's account activity, reaching the registries through `client` on `taskQueue`. */
export function accountActivitiesFor(client: Client, taskQueue: string, playbook: Pick<Playbook, 'accountConflicts'>): AccountActivities {
  return createAccountActivities({ registry: new AccountsClient(client, { taskQueue, rule: conflictRuleOf(playbook) }) });
}
