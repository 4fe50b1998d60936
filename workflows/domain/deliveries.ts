/**
 * `recordDelivery`: what the notification activity reported, into the state's
 * notification log. A delivered welcome e-mail completes the system-owned
 * `welcome_email` milestone. A request held back by a recipient's quiet hours
 * is requested again when they end (./deferrals.ts); a suppressed one never is.
 */
import type { DeliveryResult } from '../notifications';
import { MIN_DEFERRAL_MS, deferRequest } from './deferrals';
import { completeFromDelivery } from './milestones';
import { progress } from './progress';
import { LIMITS, clone, iso, pushBounded, type DomainState } from './state';

export function recordDelivery(state: DomainState, result: DeliveryResult, nowMs: number): DomainState {
  const pending = state.pendingDeliveries.find((p) => p.key === result.key);
  if (!pending) return state; // unknown, or already recorded (a retried report)
  const s = clone(state);
  s.pendingDeliveries = s.pendingDeliveries.filter((p) => p.key !== result.key);
  const retryAtMs = result.retryAt ? Date.parse(result.retryAt) : NaN;
  const retry = result.status === 'sent' || result.status === 'deferred' ? retryAtMs : NaN;
  pushBounded(
    s.notifications,
    {
      key: pending.key,
      kind: pending.kind,
      channel: pending.channel,
      to: pending.to,
      at: iso(nowMs),
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.reason ? { reason: result.reason } : {}),
      ...(Number.isFinite(retry) ? { until: iso(retry) } : {}),
    },
    LIMITS.notifications,
  );
  // Held back for some or all recipients: the same key comes due again then. Never sooner than a
  // minute from now: a worker clock behind the workflow's must not make it ask again and again.
  if (Number.isFinite(retry)) {
    const untilMs = Math.max(retry, nowMs + MIN_DEFERRAL_MS);
    // A bundle: each reminder in it comes due again, to go out again under the bundle's key (./bundles.ts).
    if (pending.members) for (const member of pending.members) deferRequest(s, member, untilMs, result.key);
    else deferRequest(s, result.key, untilMs);
  }
  if (result.status === 'sent' && pending.channel === 'email') {
    completeFromDelivery(s, pending.kind, nowMs);
    progress(s, nowMs);
  }
  return s;
}
