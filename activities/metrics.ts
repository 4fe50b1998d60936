/**
 * The notification counters, on the Temporal metric meter: inside an activity
 * that is the activity context's meter (tagged with namespace, task queue and
 * activity type), exported by the worker Runtime's Prometheus endpoint
 * (METRICS_PORT) next to the SDK's own metrics. Names in docs/operations.md.
 */
import type { MetricMeter } from '@temporalio/common';
import type { NotificationRequest } from '../workflows/notifications';

/**
 * `sent` and `failed` (permanently) are outcomes of a copy; `suppressed` and
 * `deferred` of a notification no recipient gets now (their preferences);
 * `error` is an attempt that threw for Temporal to retry.
 */
export type DeliveryOutcome = 'sent' | 'failed' | 'suppressed' | 'deferred' | 'error';

export interface NotificationMetrics {
  /** One delivery attempt that reached the provider (or failed trying); duplicates are counted apart. */
  outcome(request: NotificationRequest, status: DeliveryOutcome): void;
  /** A retry found the notification already delivered and sent nothing. */
  duplicate(request: NotificationRequest): void;
}

export function notificationMetrics(meter: MetricMeter): NotificationMetrics {
  // Created per use: the activity meter is only reachable inside an activity's context.
  const tags = ({ kind, channel }: NotificationRequest) => ({ kind, channel });
  return {
    outcome(request, status) {
      meter
        .createCounter('onboarding_notifications_total', '1', 'Notification deliveries by kind, channel and outcome')
        .add(1, { ...tags(request), status });
    },
    duplicate(request) {
      meter
        .createCounter('onboarding_notification_duplicates_total', '1', 'Retried deliveries that found the notification already sent')
        .add(1, tags(request));
    },
  };
}
