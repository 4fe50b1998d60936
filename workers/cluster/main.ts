/**
 * `npm run cluster`: the production topology on one machine (./index.ts), for
 * trying the system as it runs in production, without Docker. Prints what runs
 * where; Ctrl-C (or SIGTERM) stops the API, the workers, the mail catcher, the
 * Temporal server and PostgreSQL, in that order. The data stays in
 * DATA_DIR/cluster, so the next `npm run cluster` carries on.
 */
import path from 'node:path';
import { loadConfigOrExit } from '../../config/env';
import { ClusterError, LocalCluster } from './index';

const started = Date.now();
/** Relative to the working directory when inside it, else absolute. */
const rel = (p: string) => (p.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), p) : p);
const say = (line: string) => process.stdout.write(`cluster [${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s] ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.temporal.address) {
    process.stderr.write('config error: TEMPORAL_ADDRESS: `npm run cluster` runs its own Temporal server; unset TEMPORAL_ADDRESS (or use `npm run worker` / `npm run api` against yours)\n');
    process.exit(2);
  }
  const dir = path.join(config.dataDir, 'cluster');
  say(`starting the local cluster in ${rel(dir)}`);
  let cluster: LocalCluster | undefined;
  let stopping = 0;
  const interrupted = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.on(sig, () => {
        // One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a later one forces.
        if (stopping && Date.now() - stopping > 2_000) {
          say('second Ctrl-C: exiting now; what is still running stops at the next `npm run cluster`');
          process.exit(130);
        }
        stopping ||= Date.now();
        resolve();
      });
    }
  });

  const starting = LocalCluster.start({
    dir,
    frontendPort: config.temporal.devPort,
    http: { host: config.http.host, port: config.http.port },
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    progress: say,
  });
  const first = await Promise.race([starting.then((c) => ({ cluster: c })), interrupted.then(() => ({ cluster: undefined }))]);
  if (!first.cluster) {
    say('interrupted while starting: stopping what has started');
    // start() stops what it started when it fails; let it finish, then stop the rest.
    cluster = await starting.catch(() => undefined);
    await cluster?.stop(say);
    say('stopped');
    process.exit(130);
  }
  cluster = first.cluster;
  cluster.smtp.onMail = (mail) => say(`mail to ${mail.to.join(', ')}: ${mail.subject}`);

  const rows: [string, string][] = [
    ['HTTP API', `${cluster.apiUrl}   (npx onboarding …, curl ${cluster.apiUrl}/healthz)`],
    ['Temporal frontend', `${cluster.temporal.address}   (${rel(path.join(__dirname, '..', '..', '.tools', 'venv', 'bin', 'temporal'))} workflow list --address ${cluster.temporal.address} --namespace ${config.temporal.namespace})`],
    ['PostgreSQL', `127.0.0.1:${cluster.postgres.port}   user temporal, password in ${rel(path.join(dir, 'postgres', 'password'))}`],
    ['SMTP catcher', `${cluster.smtp.url}   e-mails in ${rel(path.join(dir, 'mail'))}/`],
    ...cluster.workers.map((w, i): [string, string] => [w.name, `pid ${w.pid}, DATA_DIR ${rel(path.join(dir, `worker-${i + 1}`))}`]),
    ['sent-log', `PostgreSQL database onboarding, shared by the workers`],
    ['logs', `${rel(path.join(dir, 'logs'))}/`],
  ];
  say('ready:');
  for (const [what, where] of rows) process.stdout.write(`  ${what.padEnd(18)} ${where}\n`);
  process.stdout.write('  Ctrl-C stops it all.\n');

  // A worker or the API that dies on its own is reported; the rest keeps running.
  const watch = setInterval(() => {
    for (const app of [...cluster!.workers, cluster!.api]) {
      if (app && !app.running && !stopping && !reported.has(app.name)) {
        reported.add(app.name);
        say(`${app.name} exited; see its log in ${rel(path.join(dir, 'logs'))}/`);
      }
    }
  }, 2_000);
  const reported = new Set<string>();

  await interrupted;
  clearInterval(watch);
  say('stopping');
  await cluster.stop(say);
  say('stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster: ${err instanceof ClusterError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
