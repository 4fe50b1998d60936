/**
 * `npm run chaos`: the fault-injection run (./chaos.ts) on a local cluster of its
 * own (PostgreSQL, the Go-built Temporal server, SMTP catcher, two workers, the
 * API, a local Slack Web API), in a temporary directory. Prints the counts and
 * exits 1 when anything was lost, doubled or ended differently.
 *
 *   npm run chaos                                   # 200 partners, 10 worker kills, SMTP down 60 s
 *   npm run chaos -- --partners 30 --kills 3 --smtp-down 20 --seed 42 --keep
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { passed, printReport, runChaos } from './chaos';

const { values } = parseArgs({
  options: {
    partners: { type: 'string', default: '200' },
    kills: { type: 'string', default: '10' },
    'smtp-down': { type: 'string', default: '60' },
    'slack-storm': { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '25' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const started = Date.now();
const log = (line: string) => process.stdout.write(`chaos [${String(Math.round((Date.now() - started) / 1000)).padStart(4)}s] ${line}\n`);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onboarding-chaos-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL's own user must reach its data directory
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  log(`seed ${seed}, working in ${dir}`);
  try {
    const report = await runChaos({
      dir,
      partners: Number(values.partners),
      kills: Number(values.kills),
      smtpDownMs: Number(values['smtp-down']) * 1000,
      slackStorm: Number(values['slack-storm']),
      concurrency: Number(values.concurrency),
      slaSeconds: { response: 30, escalation: 60 },
      seed,
      log,
    });
    printReport(report, (line) => process.stdout.write(`${line}\n`));
    process.exitCode = passed(report) ? 0 : 1;
    process.stdout.write(passed(report) ? 'chaos: PASSED\n' : 'chaos: FAILED\n');
  } finally {
    if (values.keep) log(`kept ${dir} (logs in cluster/logs/)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
