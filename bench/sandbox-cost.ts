/**
 * What the SDK's workflow sandbox costs the domain's code, and what the
 * product's bundling wins back. The same domain work per event as
 * bench/domain-cost.ts (bench/sandbox/domainPass.ts) runs three ways in one
 * process, alternated over `--rounds`:
 *   - plain Node (through tsx);
 *   - in the sandbox, bundled without the built-ins bindings: a workflow runs the
 *     work in one workflow task on a worker in debug mode (the workflow code then
 *     runs on this process's main thread, in the SDK's reusable V8 context);
 *   - the same, bundled as the product bundles (workflowBundlerOptions): the
 *     workflow code's own modules bind the built-ins they name in their own scope
 *     (`localBuiltIns`, workers/builtInsLoader.js). Inside a `vm` context every
 *     global name is otherwise looked up through Node's interceptors on each use.
 *
 *   npx tsx bench/sandbox-cost.ts [--partners 300] [--rounds 5]
 *
 * Prints the median CPU microseconds per event of each and its ratio to plain
 * Node. Measurement only; asserts nothing.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { compileForNode, workflowBundlerOptions } from '../workers/createWorker';
import { median, startBenchServer } from './support';
import { EVENTS_PER_PARTNER, domainPass } from './sandbox/domainPass';

const { values } = parseArgs({
  options: {
    partners: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
  },
});
const PARTNERS = Number(values.partners);
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(PARTNERS) && PARTNERS >= 1)) throw new Error('--partners must be a whole number of 1 or more');
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds must be a whole number of 1 or more');

const VARIANTS = ['plain Node', 'sandbox, global built-ins', 'sandbox, as the product bundles'] as const;
type Variant = (typeof VARIANTS)[number];

const logger = new DefaultLogger('WARN');

/** The workflow, bundled as the product bundles, or with the same options but the built-ins left global. */
function bundle(product: boolean) {
  const options = workflowBundlerOptions();
  return bundleWorkflowCode({
    workflowsPath: require.resolve('./sandbox/workflows'),
    logger,
    ...options,
    ...(product ? {} : { webpackConfigHook: compileForNode }),
  });
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function main(): Promise<void> {
  Runtime.install({ logger });
  const server = await startBenchServer();
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const connection = await NativeConnection.connect({ address: server.address });
  const queues: Record<Exclude<Variant, 'plain Node'>, string> = { 'sandbox, global built-ins': 'sandbox-cost-global', 'sandbox, as the product bundles': 'sandbox-cost-product' };
  process.stderr.write('bundling the workflow code twice...\n');
  const workers = await Promise.all([
    Worker.create({ connection, taskQueue: queues['sandbox, global built-ins'], workflowBundle: await bundle(false), debugMode: true }),
    Worker.create({ connection, taskQueue: queues['sandbox, as the product bundles'], workflowBundle: await bundle(true), debugMode: true }),
  ]);
  const running = workers.map((w) => w.run());
  let runs = 0;
  const once = async (variant: Variant): Promise<number> => {
    const tag = `r${++runs}`;
    const before = cpuMs();
    if (variant === 'plain Node') domainPass(PARTNERS, tag);
    else {
      await client.workflow.execute('domainLoop', {
        taskQueue: queues[variant],
        workflowId: `sandbox-cost-${tag}`,
        args: [PARTNERS, tag],
        workflowTaskTimeout: '60s',
      });
    }
    return ((cpuMs() - before) * 1000) / (PARTNERS * EVENTS_PER_PARTNER);
  };
  try {
    const samples = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
    for (const v of VARIANTS) await once(v); // warm-up: JIT, and the workflow caches
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of round % 2 ? VARIANTS : [...VARIANTS].reverse()) {
        const us = await once(v);
        samples.get(v)!.push(us);
        process.stderr.write(`round ${round}: ${v} ${us.toFixed(1)} us per event\n`);
      }
    }
    const plain = median(samples.get('plain Node')!);
    console.log(`the domain's CPU per event (${PARTNERS} core partners x ${EVENTS_PER_PARTNER} events; the steps of bench/domain-cost.ts), ${ROUNDS} rounds:`);
    console.table(
      VARIANTS.map((v) => ({
        'where the code runs': v,
        'us per event (median)': median(samples.get(v)!).toFixed(1),
        rounds: samples.get(v)!.map((x) => x.toFixed(0)).join(', '),
        'vs plain Node': `${(median(samples.get(v)!) / plain).toFixed(2)}x`,
      })),
    );
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    await connection.close();
    await client.connection.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
