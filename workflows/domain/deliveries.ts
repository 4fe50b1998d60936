/**
 * `recordDelivery`: what the notification activity reported, into the state's
 * notification log. A delivered welcome e-mail completes the system-owned
 * `welcome_email` milestone.
 */
import type { DeliveryResult } from '../notifications';
import { completeFromDelivery } from './milestones';
import { progress } from './progress';
import { LIMITS, clone, iso, pushBounded, type DomainState } from './state';

export function recordDelivery(state: DomainState, result: DeliveryResult, nowMs: number): DomainState {
  const pending = state.pendingDeliveries.find((p) => p.key === result.key);
  if (!pending) return state; // unknown, or already recorded (a retried report)
  const s = clone(state);
  s.pendingDeliveries = s.pendingDeliveries.filter((p) => p.key !== result.key);
  pushBounded(
    s.notifications,
    {
      ...pending,
      at: iso(nowMs),
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
    },
    LIMITS.notifications,
  );
  if (result.status === 'sent' && pending.channel === 'email') {
    completeFromDelivery(s, pending.kind, nowMs);
    progress(s, nowMs);
  }
  return s;
}
