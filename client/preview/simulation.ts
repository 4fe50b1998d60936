/**
 * A partner's journey through the pure domain, the way the workflow shell
 * drives it (workflows/partnerOnboarding.ts): apply each event, advance, deliver
 * every request due (recorded as sent), sleep until `nextWakeAt`. No Temporal
 * and no clock: a 120-day journey runs in milliseconds, and gives the same
 * requests the workflow would (test/preview/equivalence.test.ts runs both).
 */
import {
  accountWork,
  advance,
  applyConflictNotice,
  applyEvent,
  changeProfile,
  initState,
  nextWakeAt,
  recordDelivery,
  recordSettlement,
  toView,
  withCrossPartnerDigest,
  type DomainState,
  type PinnedPlaybook,
} from '../../workflows/domain';
import type { DeliveryResult, NotificationRequest } from '../../workflows/notifications';
import type { OnboardingState, PartnerProfile, ProfileChange } from '../../workflows/types';
import { AccountBook } from './accountBook';

export interface SimulationOptions {
  /** The account registry shared with other partners' simulations; by default one of its own. */
  accounts?: AccountBook;
  /** A digest manager's partner as runs started before the one digest across partners behave. */
  legacyDigest?: boolean;
}

export interface Sent {
  /** When the request went out. */
  at: number;
  request: NotificationRequest;
}

export class Simulation {
  state: DomainState;
  now: number;
  readonly sent: Sent[] = [];
  /** Every moment `nextWakeAt` woke the simulation. */
  readonly wakes: number[] = [];

  /**
   * What the notification activity answers for each request; by default every
   * request is sent. Tests of preferences answer `suppressed` or `deferred`.
   */
  deliver: (request: NotificationRequest, nowMs: number) => DeliveryResult = (request) => ({ key: request.key, status: 'sent' });

  readonly accounts: AccountBook;

  constructor(profile: PartnerProfile, playbook: PinnedPlaybook, nowMs: number, options: SimulationOptions = {}) {
    this.now = nowMs;
    const state = initState(profile, playbook, nowMs);
    this.state = options.legacyDigest ? state : withCrossPartnerDigest(state);
    this.accounts = options.accounts ?? new AccountBook();
    this.accounts.join(profile.partnerId, (notice) => this.notice(notice));
    this.tick();
  }

  /** A conflict notice from the account registry (the workflow's `accountConflict` signal), now. */
  notice(payload: unknown): this {
    this.state = applyConflictNotice(this.state, payload, this.now);
    return this.tick();
  }

  /** Applies one raw event payload now, then advances like the shell does. */
  apply(payload: unknown): this {
    this.state = applyEvent(this.state, payload, this.now);
    return this.tick();
  }

  /** Changes the profile now (the `updateProfile` Update), then advances. */
  changeProfile(change: ProfileChange): this {
    this.state = changeProfile(this.state, change, this.now);
    return this.tick();
  }

  /** Advances at `now` and delivers what is due, until nothing more is (a delivery can complete a milestone). */
  tick(): this {
    for (;;) {
      // Registrations naming an account go to the registry first, as the shell sends them to its account activity.
      const work = accountWork(this.state);
      if (work) {
        this.state = recordSettlement(this.state, work, this.accounts.settle(work, this.now), this.now);
        this.accounts.flush();
        continue;
      }
      const step = advance(this.state, this.now);
      this.state = step.state;
      if (!step.requests.length) return this;
      for (const request of step.requests) {
        this.sent.push({ at: this.now, request });
        this.state = recordDelivery(this.state, this.deliver(request, this.now), this.now);
      }
    }
  }

  /** Sleeps from wake-up to wake-up until `targetMs`, then ticks at `targetMs`. */
  until(targetMs: number): this {
    for (;;) {
      const wake = nextWakeAt(this.state, this.now);
      if (wake !== null && wake <= this.now) throw new Error(`nextWakeAt ${wake} is not after now ${this.now}`);
      if (wake === null || wake > targetMs) break;
      this.wakes.push(wake);
      this.now = wake;
      this.tick();
    }
    this.now = Math.max(this.now, targetMs);
    return this.tick();
  }

  view(): OnboardingState {
    return toView(this.state, this.now);
  }
}
