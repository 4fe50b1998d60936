/**
 * Health: Temporal answers, and a worker has polled the task queue recently,
 * for workflow tasks and for activity tasks (a worker does both).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { HealthReport } from './apiTypes';
import { timestampMs } from './decode';

/** A poller seen within this window counts as a running worker. */
const POLLER_FRESHNESS_MS = 2 * 60_000;
const RPC_TIMEOUT_MS = 5_000;

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

export async function checkHealth(client: Client, taskQueue: string): Promise<HealthReport> {
  const namespace = client.options.namespace;
  const pollers = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
    const response = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    const since = Date.now() - POLLER_FRESHNESS_MS;
    return response.pollers.map((p) => timestampMs(p.lastAccessTime) ?? 0).filter((ms) => ms >= since);
  };
  try {
    const [workflow, activity] = await client.connection.withDeadline(Date.now() + RPC_TIMEOUT_MS, () =>
      Promise.all([pollers(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), pollers(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]),
    );
    const seen = [...workflow, ...activity];
    return {
      status: workflow.length > 0 && activity.length > 0 ? 'ok' : 'unavailable',
      temporal: { reachable: true, namespace },
      worker: {
        taskQueue,
        workflowPollers: workflow.length,
        activityPollers: activity.length,
        lastSeenAt: seen.length ? new Date(Math.max(...seen)).toISOString() : null,
      },
    };
  } catch (err) {
    return {
      status: 'unavailable',
      temporal: { reachable: false, namespace, error: (err as Error).message },
      worker: { taskQueue, workflowPollers: 0, activityPollers: 0, lastSeenAt: null },
    };
  }
}
