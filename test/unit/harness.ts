/**
 * Drives the pure domain the way the workflow shell does: apply events, advance,
 * deliver every request (recording it as sent), sleep until `nextWakeAt`.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { Simulation } from '../../client/preview';
import { bundledKeys } from '../../workflows/domain/bundles';
import type { EventType, PartnerProfile } from '../../workflows/types';

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

import type { Sent } from '../../client/preview';
export type { Sent };

/** The pure domain driven like the workflow shell (client/preview's Simulation), with test shorthands. */
export class Sim extends Simulation {
  private seq = 0;

  constructor(p: PartnerProfile = profile(), playbook: Playbook = DEFAULT_PLAYBOOK, nowMs = T0, options: { legacyDigest?: boolean } = {}) {
    super(p, playbook, nowMs, options);
  }

  /** Applies an event now (or `occurredAt`), then advances like the shell does. */
  event(type: EventType, data?: unknown, extra: { eventId?: string; occurredAt?: string } = {}): this {
    return this.raw({ eventId: extra.eventId ?? `e${++this.seq}`, type, ...(data === undefined ? {} : { data }), ...extra });
  }

  raw(payload: unknown): this {
    return this.apply(payload);
  }

  /** Moves to `day` days (fractions allowed) after the contract. */
  day(day: number): this {
    return this.until(T0 + day * DAY);
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

  /** The message that carried a rule instance: on its own, or in a bundle of reminders due together. */
  carrying(key: string): Sent | undefined {
    return this.sent.find((s) => bundledKeys(s.request.key).includes(key));
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();
