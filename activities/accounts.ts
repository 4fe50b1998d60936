/**
 * The account activity of the partner workflow: `settleAccounts` sends a
 * partner's registrations that name an account to each account's registry
 * (update-with-start of the `accountRegistry` workflow: it starts on the first
 * registration of an account and answers at once), and frees the accounts of
 * held registrations that were lost or disqualified (a signal).
 *
 * One activity per batch: a registration costs this activity plus one Update
 * (and the registry's start, the first time anyone registers the account).
 * A retry is harmless: the registry answers a claim it has seen with its first
 * answer, and a repeated release changes nothing. The Temporal calls go through
 * the port the worker hands in (client/accounts.ts), never the client directly.
 */
import { log as activityLog } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import type {
  AccountKey,
  AccountSettlement,
  AccountSettlementResult,
  ClaimAnswer,
  ClaimRequest,
  ReleaseRequest,
} from '../workflows/accounts/types';

export interface AccountRegistryPort {
  /** The registry's answer, or why it refused the claim for good (the claim is malformed). */
  claim(request: ClaimRequest): Promise<ClaimAnswer | { refused: string }>;
  /** Frees the account of a held registration; nothing when the account has no registry. */
  release(account: AccountKey, release: ReleaseRequest): Promise<void>;
}

export interface AccountActivityDeps {
  registry: AccountRegistryPort;
  /** Default: the activity context's logger. */
  log?: Logger;
}

export function createAccountActivities({ registry, log = activityLog }: AccountActivityDeps) {
  async function settleAccounts(work: AccountSettlement): Promise<AccountSettlementResult> {
    const result: AccountSettlementResult = { answers: [], unchecked: [] };
    // Accounts in parallel; one account's claims in order (its registry takes them one at a time anyway).
    const byAccount = new Map<string, ClaimRequest[]>();
    for (const request of work.claims) byAccount.set(request.account.key, [...(byAccount.get(request.account.key) ?? []), request]);
    await Promise.all(
      [...byAccount.values()].map(async (requests) => {
        for (const request of requests) {
          const answer = await registry.claim(request);
          if ('refused' in answer) {
            log.warn('account registry refused a claim', { account: request.account.key, opportunityId: request.claim.opportunityId, reason: answer.refused });
            result.unchecked.push({ opportunityId: request.claim.opportunityId, error: `refused by the account registry: ${answer.refused}` });
          } else {
            result.answers.push(answer);
            if (answer.status === 'conflict') log.info('registration conflicts', { account: request.account.key, conflictId: answer.notice?.conflictId });
          }
        }
      }),
    );
    for (const { account, release } of work.releases) await registry.release(account, release);
    return result;
  }
  return { settleAccounts };
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
