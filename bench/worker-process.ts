/**
 * A benchmark's worker, in a process of its own so that its memory is its own.
 *
 *   BENCH_VARIANT=project|baseline TEMPORAL_ADDRESS=... TEMPORAL_TASK_QUEUE=... DATA_DIR=... \
 *     node --expose-gc --import tsx bench/worker-process.ts
 *
 * `project` is the product's worker as `npm run worker` builds it (createOnboardingWorker,
 * the activities from the environment, WORKER_* tuning); `baseline` runs the empty
 * signal-counting workflow (bench/baseline/workflows.ts) with the same tuning.
 * Over IPC it answers `status`, `measure` (after full GCs) and `snapshot` (a heap snapshot).
 *
 * The SDK runs workflows in a worker thread with a V8 isolate of its own, so
 * `process.memoryUsage().heapUsed` does not see them. The inspector's NodeWorker
 * domain reaches that thread: `measure` collects its garbage and reads its heap
 * (Runtime.getHeapUsage); `snapshot` writes its heap snapshot (the thread is
 * captured when the SDK creates it).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import { pipeline } from 'node:stream/promises';
import workerThreads from 'node:worker_threads';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivitiesFromConfig } from '../activities';
import { accountActivitiesFor } from '../client/accounts';
import { createReportActivities } from '../activities/reports';
import { parseConfig } from '../config/env';
import { programDigestReader } from '../client/reports/digest';
import { DEFAULT_PLAYBOOK } from '../workflows/defaultPlaybook';
import { createOnboardingWorker } from '../workers/createWorker';
import { baselineBundle, productBundle } from './support';

interface Request {
  id: string;
  cmd: 'status' | 'measure' | 'snapshot';
  path?: string;
}

/** The SDK's workflow threads, captured as it creates them. */
const workflowThreads: workerThreads.Worker[] = [];
const ThreadClass = workerThreads.Worker;
(workerThreads as { Worker: typeof ThreadClass }).Worker = class CapturedWorker extends ThreadClass {
  constructor(...args: ConstructorParameters<typeof ThreadClass>) {
    super(...args);
    workflowThreads.push(this);
  }
};

/** Writes each workflow thread's heap snapshot next to `file`. */
async function threadSnapshots(file: string): Promise<string[]> {
  const files: string[] = [];
  for (const [i, thread] of workflowThreads.entries()) {
    const target = file.replace(/(\.heapsnapshot)?$/, workflowThreads.length > 1 ? `-${i}.heapsnapshot` : '.heapsnapshot');
    await pipeline(await thread.getHeapSnapshot(), fs.createWriteStream(target));
    files.push(target);
  }
  return files;
}

/** Inspector sessions into the workflow threads (NodeWorker domain). */
class ThreadInspector {
  private readonly session = new inspector.Session();
  private readonly sessions: string[] = [];
  private readonly pending = new Map<number, (result: { result?: unknown; error?: { message: string } }) => void>();
  private nextId = 1;

  constructor() {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string } }) => this.sessions.push(m.params.sessionId));
    this.session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => {
      const reply = JSON.parse(m.params.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
    });
    this.session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  }

  private call<T>(sessionId: string, method: string): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => {
        this.pending.delete(id);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result as T);
      });
      this.session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
    });
  }

  /** Full GCs in every workflow thread, then the bytes their heaps use. */
  async heapUsedAfterGc(): Promise<number> {
    let used = 0;
    for (const sessionId of this.sessions) {
      await this.call(sessionId, 'HeapProfiler.collectGarbage');
      await this.call(sessionId, 'HeapProfiler.collectGarbage');
      used += (await this.call<{ usedSize: number }>(sessionId, 'Runtime.getHeapUsage')).usedSize;
    }
    return used;
  }
}

async function main(): Promise<void> {
  const threadInspector = new ThreadInspector();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const config = parseConfig(process.env);
  const variant = process.env.BENCH_VARIANT;
  const connection = await NativeConnection.connect({ address: config.temporal.address! });
  const tuning = config.worker;
  let worker: Worker;
  if (variant === 'project') {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    worker = await createOnboardingWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivitiesFromConfig(config, DEFAULT_PLAYBOOK.program),
      reportActivities: createReportActivities({ readDigest: programDigestReader(client, DEFAULT_PLAYBOOK) }),
      accountActivities: accountActivitiesFor(client, config.temporal.taskQueue, DEFAULT_PLAYBOOK),
      workflowBundle: await productBundle(),
      tuning,
    });
  } else if (variant === 'baseline') {
    worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: await baselineBundle(),
      maxCachedWorkflows: tuning.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    });
  } else {
    throw new Error(`BENCH_VARIANT must be project or baseline (got ${JSON.stringify(variant)})`);
  }

  const status = () => {
    const s = worker.getStatus();
    return {
      cached: s.numCachedWorkflows,
      activations: s.numInFlightWorkflowActivations,
      activities: s.numInFlightActivities,
      memory: process.memoryUsage(),
    };
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (request: Request) => {
    if (!['status', 'measure', 'snapshot'].includes(request.cmd)) return; // e.g. bench/profile-hook.mjs's
    void (async () => {
      try {
        if (request.cmd === 'measure') {
          if (!gc) throw new Error('run with --expose-gc');
          const workflowHeapUsed = await threadInspector.heapUsedAfterGc();
          for (let i = 0; i < 3; i++) {
            gc();
            await new Promise((r) => setTimeout(r, 100));
          }
          process.send!({ id: request.id, ...status(), workflowHeapUsed });
        } else if (request.cmd === 'snapshot') {
          const files = await threadSnapshots(request.path!);
          process.send!({ id: request.id, path: files[0] });
        } else {
          process.send!({ id: request.id, ...status() });
        }
      } catch (err) {
        process.send!({ id: request.id, error: (err as Error).message });
      }
    })();
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  const run = worker.run();
  process.send!({ ready: true });
  await run;
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
