/**
 * The account registry in memory, for journeys run through the pure domain
 * (the preview, the golden files, unit tests): the same pure registry the
 * `accountRegistry` workflow runs (workflows/accounts/registry.ts), one per
 * account key, with notices handed to the other partners' simulations the way
 * the workflow signals their workflows.
 */
import { accountKey } from '../../workflows/accounts/keys';
import {
  accountView,
  checkDecision,
  claimAccount,
  decideConflict,
  initRegistry,
  recordDirectOwnership,
  releaseClaim,
  type RegistryState,
  type RegistryStep,
} from '../../workflows/accounts/registry';
import type { AccountEvent, AccountState, ConflictDecision, ConflictRule } from '../../workflows/accounts/schema';
import type { AccountKey, AccountSettlement, AccountSettlementResult, AddressedNotice, ConflictNotice } from '../../workflows/accounts/types';

export class AccountBook {
  private readonly registries = new Map<string, RegistryState>();
  private readonly partners = new Map<string, (notice: ConflictNotice) => void>();
  private readonly outbox: AddressedNotice[] = [];

  /** `onNotice` gets the notices for `partnerId` (a simulation applies them as its workflow would). */
  join(partnerId: string, onNotice: (notice: ConflictNotice) => void): void {
    this.partners.set(partnerId, onNotice);
  }

  /** What the partner workflow's account activity does: each claim and release, in order. */
  settle(work: AccountSettlement, nowMs: number): AccountSettlementResult {
    const answers = work.claims.map(({ account, claim }) => {
      const step = claimAccount(this.registry(account), claim, nowMs);
      this.save(account, step);
      return step.answer;
    });
    for (const { account, release } of work.releases) this.save(account, releaseClaim(this.registry(account), release, nowMs));
    return { answers, unchecked: [] };
  }

  /** The CRM's direct-team ownership, as `POST /v1/accounts/events` records it. */
  direct(event: AccountEvent, rule: ConflictRule, nowMs: number): AccountState {
    const account = accountKey(event.data);
    if (!account) throw new Error('the event names no account');
    this.save(account, recordDirectOwnership(this.registry(account), { ...event, rule }, nowMs));
    this.flush();
    return this.view(account.key)!;
  }

  /** A manager's decision; throws the reason when it cannot be applied. */
  decide(decision: ConflictDecision, nowMs: number): AccountState {
    const key = decision.conflictId.slice(0, decision.conflictId.lastIndexOf('#'));
    const state = this.registries.get(key);
    const problem = state ? checkDecision(state, decision) : `no account '${key}'`;
    if (problem) throw new Error(problem);
    this.save(state!.account, decideConflict(state!, decision, nowMs));
    this.flush();
    return this.view(key)!;
  }

  view(key: string): AccountState | undefined {
    const state = this.registries.get(key);
    return state && accountView(state);
  }

  /** Hands the queued notices to their partners (a partner without a simulation is skipped, as a gone workflow is). */
  flush(): void {
    while (this.outbox.length) {
      const { partnerId, notice } = this.outbox.shift()!;
      this.partners.get(partnerId)?.(notice);
    }
  }

  private registry(account: AccountKey): RegistryState {
    return this.registries.get(account.key) ?? initRegistry(account);
  }

  private save(account: AccountKey, step: RegistryStep): void {
    this.registries.set(account.key, step.state);
    this.outbox.push(...step.notices);
  }
}
