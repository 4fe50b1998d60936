/**
 * `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS, on
 * HTTP_HOST:HTTP_PORT. SIGINT/SIGTERM finish in-flight requests, then close.
 */
import { loadConfigOrExit } from '../../config/env';
import { processLogger } from '../../config/logging';
import { loadPlaybookOrExit } from '../../config/loadPlaybook';
import { connectClient } from '../connection';
import { CurrentPlaybookConflictError, playbookHash, publishCurrentPlaybook } from '../playbooks';
import { ReportProjection } from '../reports/projection';
import { projectionStoreFor } from '../reports/projectionStore';
import { milestoneTitles } from '../reports/digest';
import { createApiServer } from './app';
import { assertSafeBinding } from './auth';

function exitWith(code: number, line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

export async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.temporal.address) {
    exitWith(2, 'config error: TEMPORAL_ADDRESS: required for `npm run api` (`npm start` runs the embedded dev server instead)');
  }
  try {
    assertSafeBinding(config.http);
  } catch (err) {
    exitWith(2, `config error: ${(err as Error).message}`);
  }
  const playbook = loadPlaybookOrExit(config.playbookPath);
  const client = await connectClient(config);
  const hash = playbookHash(playbook);
  // Every API instance publishes the playbook it starts partners with: idempotent, and a
  // different content under the same version stops this one with a line saying so.
  await publishCurrentPlaybook(client, { taskQueue: config.temporal.taskQueue, currentHash: hash }, playbook).catch((err: unknown) => {
    if (err instanceof CurrentPlaybookConflictError) exitWith(2, `config error: ${err.message}`);
    throw err;
  });
  // The report's projection: every partner's summary, synced from visibility, kept between
  // runs in PostgreSQL (REPORT_PROJECTION_DATABASE_URL) or under DATA_DIR.
  const logTo: { app?: { log: { info(fields: object, message: string): void; warn(fields: object, message: string): void } } } = {};
  const store = projectionStoreFor(config, (err) => logTo.app?.log.warn({ error: err.message }, 'report projection: database connection lost'));
  const projection = new ReportProjection(client, { store, titleOf: milestoneTitles(playbook), log: (m, f) => logTo.app?.log.info(f ?? {}, m) });
  const app = await createApiServer({ client, config, playbook, reports: projection.provider() });
  logTo.app = app;
  app.log.info({ version: playbook.version, hash }, 'playbook published');
  projection.start();
  await app.listen({ host: config.http.host, port: config.http.port });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await projection.stop();
    await client.connection.close();
    process.exit(0);
  };
  // `on`, not `once`: a repeated signal (terminal and npm both pass Ctrl-C on) must not cut the close short.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    processLogger('error').child({ component: 'api' }).error(`api failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
