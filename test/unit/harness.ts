/**
 * Drives the pure domain the way the workflow shell does: apply events, advance,
 * deliver every request (recording it as sent), sleep until `nextWakeAt`.
 */
import { DEFAULT_PLAYBOOK } from '../../config/defaultPlaybook';
import type { Playbook } from '../../config/playbook';
import { advance, applyEvent, initState, nextWakeAt, recordDelivery, toView, type DomainState } from '../../workflows/domain';
import type { NotificationRequest } from '../../workflows/notifications';
import type { EventType, OnboardingState, PartnerProfile } from '../../workflows/types';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Friday 2026-11-27 09:00 UTC: the contract's example signature. */
export const T0 = Date.parse('2026-11-27T09:00:00Z');

export function profile(overrides: Partial<PartnerProfile> = {}): PartnerProfile {
  return {
    partnerId: 'acme-cloud',
    name: 'Acme Cloud GmbH',
    segment: 'core',
    role: 'sales',
    contractSignedAt: new Date(T0).toISOString(),
    partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0123' },
    contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }],
    ...overrides,
  };
}

export interface Sent {
  at: number;
  request: NotificationRequest;
}

export class Sim {
  state: DomainState;
  now: number;
  sent: Sent[] = [];
  /** Every moment `nextWakeAt` woke the simulation. */
  wakes: number[] = [];
  private seq = 0;

  constructor(p: PartnerProfile = profile(), playbook: Playbook = DEFAULT_PLAYBOOK, nowMs = T0) {
    this.now = nowMs;
    this.state = initState(p, playbook, nowMs);
    this.tick();
  }

  /** Applies an event now (or `occurredAt`), then advances like the shell does. */
  event(type: EventType, data?: unknown, extra: { eventId?: string; occurredAt?: string } = {}): this {
    return this.raw({ eventId: extra.eventId ?? `e${++this.seq}`, type, ...(data === undefined ? {} : { data }), ...extra });
  }

  raw(payload: unknown): this {
    this.state = applyEvent(this.state, payload, this.now);
    return this.tick();
  }

  tick(): this {
    const step = advance(this.state, this.now);
    this.state = step.state;
    for (const request of step.requests) {
      this.sent.push({ at: this.now, request });
      this.state = recordDelivery(this.state, { key: request.key, status: 'sent' }, this.now);
    }
    return this;
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

  /** Moves to `day` days (fractions allowed) after the contract. */
  day(day: number): this {
    return this.until(T0 + day * DAY);
  }

  view(): OnboardingState {
    return toView(this.state, this.now);
  }

  status(id: string): string | undefined {
    return this.view().milestones.find((m) => m.id === id)?.status;
  }

  keys(kind?: string): string[] {
    return this.sent.filter((s) => !kind || s.request.kind === kind).map((s) => s.request.key);
  }

  sentOf(key: string): Sent | undefined {
    return this.sent.find((s) => s.request.key === key);
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();
