/**
 * The `partnerOnboarding` workflow: a thin, deterministic shell around the pure
 * domain in ./domain. It
 *   - applies `partnerEvent` signals to the state (validation and dedup live in the domain),
 *   - checks registrations that name an account with the account registry (one activity),
 *     and applies the registry's `accountConflict` notices,
 *   - answers `onboardingState` queries,
 *   - asks the domain what is due, delivers it through one activity, records the result,
 *   - keeps ONE timer for the next due moment (re-armed only when that moment changes),
 *   - keeps its search attributes and its report summary (memo `report`) current, and
 *   - continues-as-new to keep its history bounded over years.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Playbook } from './playbook';
import {
  accountWork,
  advance,
  applyConflictNotice,
  applyEvent,
  currentDetails,
  initState,
  isFinished,
  markContinuedAsNew,
  migrate,
  nextWake,
  recordDelivery,
  changeProfile,
  profileChangeRefusal,
  recordSettlement,
  settleWithoutRegistry,
  shouldContinueAsNew,
  toView,
  tryEvent,
  upgradeState,
  withCrossPartnerDigest,
  type DomainState,
  type WakeUp,
} from './domain';
import { accountConflictSignal } from './accounts/messages';
import type { AccountSettlement, AccountSettlementResult } from './accounts/types';
import {
  PLAYBOOK_MEMO_KEY,
  acknowledgeOpportunityUpdate,
  decideCheckpointUpdate,
  migratePlaybookUpdate,
  onboardingStateQuery,
  partnerEventSignal,
  previewMigrationQuery,
  updateProfileUpdate,
  waiveMilestoneUpdate,
} from './messages';
import type { MigrationRequest } from './migration';
import { deliverNotification, settleAccounts } from './proxies';
import type { DeliveryResult, NotificationRequest } from './notifications';
import { PATCHES, currentPatches, type Since } from './patches';
import { pinnedPlaybook } from './pinnedPlaybook';
import { parseProfile, parseProfileChange, type FieldError, type OnboardingState, type PartnerProfile } from './types';
import { VisibilityPublisher } from './visibility';

const describeErrors = (errors: FieldError[]) => errors.map((e) => `${e.field}: ${e.message}`).join('; ');

export interface OnboardingOptions {
  /**
   * The playbook to pin (the API, the CLI and the typed client always pass one).
   * Required unless `carried` is set: a run without one fails at once, rather than
   * pinning whatever default the worker happens to have when it replays.
   */
  playbook?: Playbook;
  /** The playbook's content hash, as published (client/playbooks.ts). */
  playbookHash?: string;
  /** State carried over by continue-as-new. */
  carried?: DomainState;
}

/** Safety net: continue-as-new well before Temporal's 10,240-event history warning. */
const MAX_HISTORY_EVENTS = 4000;

export async function partnerOnboarding(profile: PartnerProfile, options: OnboardingOptions = {}): Promise<OnboardingState> {
  const parsed = parseProfile(profile);
  if (!parsed.ok) {
    throw ApplicationFailure.nonRetryable(
      `invalid PartnerProfile: ${describeErrors(parsed.errors)}`,
      'InvalidProfile',
    );
  }
  if (!options.carried && !options.playbook) {
    throw ApplicationFailure.nonRetryable(
      'no playbook in the start input: start onboardings through the API, the CLI or the typed client, which pin the playbook',
      'MissingPlaybook',
    );
  }
  // Runs started by this code take every behaviour the patches before it introduced behind
  // one marker (./patches.ts); runs recorded before it replay each patch as they ran.
  const since = currentPatches();
  // The pinned playbook: the worker's shared instance of the same version, hash and content (./pinnedPlaybook.ts).
  let state: DomainState = options.carried
    ? upgradeState({ ...options.carried, playbook: pinnedPlaybook(options.carried.playbook, options.carried.playbookHash) })
    : initState(parsed.value, pinnedPlaybook(options.playbook!, options.playbookHash), Date.now());
  if (!options.carried && options.playbookHash) state = { ...state, playbookHash: options.playbookHash };
  // A digest manager gets one digest across all partners (workflows/managerDigests.ts); runs started before
  // that keep flushing their own daily digest, as their histories say. Every new run takes it (a manager
  // may turn the digest on later).
  if (!options.carried && since(PATCHES.crossPartnerDigest)) state = withCrossPartnerDigest(state);
  // The welcome's due date counts from the first moment the partner could be e-mailed (DomainState.sendFromMs);
  // runs started before that count it from the contract, as their histories say.
  if (!options.carried && !since(PATCHES.welcomeDueFromSend)) state = { ...state, sendFromMs: undefined };
  // Reminders due together go out as one message (domain/bundles.ts); runs started before send one each.
  if (!options.carried && !since(PATCHES.bundledReminders)) state = { ...state, bundleReminders: undefined };
  // The SDK holds the start arguments for the whole run: let go of their copies of
  // the playbook and of the carried state, which `state` replaces (docs/operations.md).
  delete options.playbook;
  delete options.carried;
  let dirty = true;
  let wokeByTimer = false;

  setHandler(partnerEventSignal, (raw: unknown) => {
    state = applyEvent(state, raw, Date.now());
    dirty = true;
    wokeByTimer = false;
  });
  setHandler(accountConflictSignal, (raw: unknown) => {
    state = applyConflictNotice(state, raw, Date.now());
    dirty = true;
    wokeByTimer = false;
  });
  setHandler(onboardingStateQuery, () => toView(state, Date.now()));
  // Profile changes are a human's request that can be refused: an Update whose validator leaves no history when it refuses.
  setHandler(
    updateProfileUpdate,
    (raw: unknown): OnboardingState => {
      const parsed = parseProfileChange(raw);
      if (!parsed.ok) throw ApplicationFailure.nonRetryable(describeErrors(parsed.errors), 'InvalidProfileChange');
      state = changeProfile(state, parsed.value, Date.now());
      dirty = true;
      wokeByTimer = false;
      return toView(state, Date.now());
    },
    {
      validator: (raw: unknown): void => {
        const parsed = parseProfileChange(raw);
        if (!parsed.ok) throw new Error(`invalid profile change: ${describeErrors(parsed.errors)}`);
        const refusal = profileChangeRefusal(state, parsed.value);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  // Playbook migration: the dry run answers without history; the Update applies the same diff.
  setHandler(previewMigrationQuery, (request: MigrationRequest) => {
    const outcome = migrate(state, request, Date.now());
    return outcome.ok ? { ok: true, diff: outcome.diff } : outcome;
  });
  setHandler(
    migratePlaybookUpdate,
    (request: MigrationRequest) => {
      const outcome = migrate(state, request, Date.now());
      // Validated in the same workflow task: only a replay of an older history could get here.
      if (!outcome.ok) throw ApplicationFailure.nonRetryable(outcome.reason, outcome.code);
      state = { ...outcome.state, playbook: pinnedPlaybook(outcome.state.playbook, request.hash) };
      dirty = true;
      wokeByTimer = false;
      upsertMemo({ [PLAYBOOK_MEMO_KEY]: { version: request.playbook.version, hash: request.hash } });
      return { diff: outcome.diff, state: toView(state, Date.now()) };
    },
    {
      validator: (request: MigrationRequest) => {
        const outcome = migrate(state, request, Date.now());
        if (!outcome.ok) throw ApplicationFailure.nonRetryable(outcome.reason, outcome.code);
      },
    },
  );
  // A human's decision (an Update) is the event it stands for, through the same rules. The
  // validator is a dry run: what the signal path records as rejected, it refuses without history.
  const humanDecision = (type: HumanDecisionType) => {
    const attempt = (input: unknown) => tryEvent(state, asEvent(type, input), Date.now());
    return {
      handler: (input: unknown): OnboardingState => {
        const result = attempt(input);
        // Validated in the same activation: only a replay of an older history could get here.
        if (result.outcome === 'refused') throw ApplicationFailure.nonRetryable(result.reason, 'Refused');
        state = result.state;
        dirty = true;
        wokeByTimer = false;
        return toView(state, Date.now());
      },
      validator: (input: unknown): void => {
        const result = attempt(input);
        if (result.outcome === 'refused') throw new Error(result.reason);
      },
    };
  };
  const decision = humanDecision('checkpoint_decision');
  setHandler(decideCheckpointUpdate, decision.handler, { validator: decision.validator });
  const waiver = humanDecision('milestone_waived');
  setHandler(waiveMilestoneUpdate, waiver.handler, { validator: waiver.validator });
  const acknowledgement = humanDecision('opportunity_acknowledged');
  setHandler(acknowledgeOpportunityUpdate, acknowledgement.handler, { validator: acknowledgement.validator });

  const timer = new WakeUpTimer(since);
  const visibility = new VisibilityPublisher(since);

  for (;;) {
    dirty = false;
    // Registrations naming an account are checked with its registry before they count (docs/accounts.md).
    const work = accountWork(state);
    if (work) {
      if (since(PATCHES.accountRegistry)) {
        const result = await checkAccounts(work);
        state = recordSettlement(state, work, result, Date.now());
        continue;
      }
      state = settleWithoutRegistry(state, Date.now()); // a run recorded before the registry: as it ran then
    }
    const step = advance(state, Date.now());
    state = step.state;
    // Status first, in the same workflow task as the deliveries it explains. The report
    // rides along with a status change, the run's first task or a timer wake-up: never a bare signal.
    visibility.publish(state, wokeByTimer);
    if (step.requests.length) {
      const results = await Promise.all(step.requests.map(deliver));
      for (const result of results) state = recordDelivery(state, result, Date.now());
      continue; // a delivery can complete a milestone (the welcome e-mail): re-evaluate
    }

    if (isFinished(state)) {
      setCurrentDetails(currentDetails(state, Date.now(), null));
      visibility.publishReport(state);
      timer.cancel();
      await condition(allHandlersFinished);
      return toView(state, Date.now());
    }
    // Continue-as-new at a quiet moment (a timer wake-up, not in reply to an event)
    // once the domain says a cycle ended, or at once when the history grows long.
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    if ((wokeByTimer && shouldContinueAsNew(state)) || continueAsNewSuggested || historyLength > MAX_HISTORY_EVENTS) {
      visibility.publishReport(state);
      timer.cancel();
      await condition(allHandlersFinished);
      // The memo (the report included) goes along explicitly: not every server copies it.
      const next = makeContinueAsNewFunc<typeof partnerOnboarding>({ memo: workflowInfo().memo });
      return next(profile, { carried: markContinuedAsNew(state) });
    }
    if (dirty) continue; // a signal arrived while delivering: re-evaluate first
    const wake = nextWake(state, Date.now());
    // What the Temporal UI shows of this partner: no command, no billed action.
    setCurrentDetails(currentDetails(state, Date.now(), wake));
    timer.arm(wake);
    await condition(() => dirty || timer.fired);
    wokeByTimer = !dirty;
  }
}

/** One activity for every claim and release due (the registry's answers); a registry unreachable for good leaves them unchecked. */
async function checkAccounts(work: AccountSettlement): Promise<AccountSettlementResult> {
  try {
    return await settleAccounts(work);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof Error ? err.cause.message : err.message;
    log.warn('account registry unreachable after retries: registrations counted unchecked', { claims: work.claims.length, cause });
    return { answers: [], unchecked: work.claims.map(({ claim }) => ({ opportunityId: claim.opportunityId, error: `account registry unreachable: ${cause}` })) };
  }
}

type HumanDecisionType = 'checkpoint_decision' | 'milestone_waived' | 'opportunity_acknowledged';

/** An Update's argument as the PartnerEvent it stands for; without an eventId, the Update's id is its key. */
function asEvent(type: HumanDecisionType, input: unknown): unknown {
  const { eventId, ...data } = (typeof input === 'object' && input !== null ? input : {}) as { eventId?: unknown };
  return { eventId: eventId ?? `${type}:${currentUpdateInfo()?.id ?? ''}`, type, data };
}

async function deliver(request: NotificationRequest): Promise<DeliveryResult> {
  const { workflowId } = workflowInfo();
  try {
    return await deliverNotification({ workflowId, request });
  } catch (err) {
    if (err instanceof ActivityFailure) {
      // Retries exhausted on a transient fault: surface it in the state, never fail the workflow.
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      log.warn('notification failed after retries', { key: request.key, cause });
      return { key: request.key, status: 'failed', error: `delivery failed after retries: ${cause}` };
    }
    throw err;
  }
}

/**
 * One durable timer for the next due moment. Re-arming with the same moment
 * keeps the running timer, so a signal does not cost a new timer (each timer is
 * a billed action on Temporal Cloud). So does re-arming with a later moment (an
 * event completed what was due first): the running timer fires early, the loop
 * finds nothing due and arms the later moment then. Most events move the next
 * moment later, and a cancelled and restarted timer costs a billed timer, two
 * history events and a workflow-side failure object each time. Each timer says
 * in the Temporal UI what it waits for.
 */
class WakeUpTimer {
  private at: number | null = null;
  private scope: CancellationScope | null = null;
  fired = false;

  constructor(private readonly since: Since) {}

  arm(wake: WakeUp | null): void {
    const at = wake?.at ?? null;
    if (at === this.at && !this.fired) return;
    const running = !this.fired && this.at !== null;
    if (running && (at === null || at > this.at!) && this.since(PATCHES.keepEarlierTimer)) return;
    this.cancel();
    this.fired = false;
    this.at = at;
    if (wake === null) return;
    const scope = new CancellationScope();
    this.scope = scope;
    const summary = `until ${new Date(wake.at).toISOString().slice(0, 16).replace('T', ' ')} UTC: ${wake.why}`;
    void scope
      .run(() => sleep(Math.max(1, wake.at - Date.now()), { summary }))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }

  cancel(): void {
    this.scope?.cancel();
    this.scope = null;
    this.at = null;
  }
}
