/**
 * This project's own processes in the cluster: `npm run worker` and `npm run api`
 * as separate Node processes (as on separate hosts), each with its environment,
 * its log file, and a readiness probe: a worker is ready when Temporal lists it
 * as a poller of the task queue, the API when GET /healthz answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { childExited, kill, openLog, stopChild, waitFor } from './process';
import { ROOT } from './temporalServer';

export interface AppProcessOptions {
  name: string;
  /** Relative to the repository root: a `.ts` file runs with `node --import tsx`, a launcher in bin/ with `node`. */
  script: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(readonly opts: AppProcessOptions) {}

  get name(): string {
    return this.opts.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const log = openLog(this.opts.logFile);
    const script = path.join(ROOT, this.opts.script);
    this.child = spawn(process.execPath, script.endsWith('.ts') ? ['--import', 'tsx', script] : [script], {
      env: this.opts.env,
      stdio: ['ignore', log, log],
      detached: true,
      cwd: ROOT,
    });
    fs.closeSync(log);
    this.exited = childExited(this.child);
  }

  /** A worker is ready once Temporal lists its process as a poller of both task types. */
  async waitForPoller(client: Client, taskQueue: string, timeoutMs = 180_000): Promise<void> {
    const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
    const identity = `${this.pid}@`;
    await waitFor(this.name, timeoutMs, this.exited!, this.opts.logFile, async () => {
      for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
        const { pollers } = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType,
        });
        if (!pollers.some((p) => p.identity?.startsWith(identity))) throw new Error('not polling yet');
      }
    });
  }

  async waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
    await waitFor(this.name, timeoutMs, this.exited!, this.opts.logFile, async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
    });
  }

  /** SIGTERM: a worker finishes in-flight activities (its grace time), the API its requests. */
  async stop(): Promise<void> {
    if (!this.child || !this.exited) return;
    await stopChild(this.child, this.exited, 'SIGTERM', 30_000);
  }

  /** SIGKILL, as a crash or a lost host: nothing is finished or cleaned up. */
  async crash(): Promise<void> {
    if (!this.child || !this.exited || !this.running) return;
    kill(this.child, 'SIGKILL');
    await this.exited;
  }
}
