/**
 * Records histories into test/replay/histories/ for the replay test. Re-record
 * deliberately, only when a change is meant to be incompatible and is versioned
 * (workflow `patched()`), never to make CI green:
 *
 *   npx tsx test/replay/record.ts                    # <segment>-happy-path-<playbook version>.json
 *   npx tsx test/replay/record.ts --encrypted        # core-happy-path-<playbook version>-encrypted.json,
 *                                                    # with payload encryption (./encryptionKey.ts)
 *   npx tsx test/replay/record.ts decisions          # a checkpoint decided and a milestone waived by signal (dev server)
 *   npx tsx test/replay/record.ts decision-updates   # the same by Update (dev server)
 *   npx tsx test/replay/record.ts digest             # the core path for a digest manager (one digest across partners)
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createDevEnv, createTimeSkippingEnv } from '../helpers/temporal';
import { runHappyPath } from '../helpers/runJourney';
import { runDecisionJourney } from '../helpers/decisionJourney';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Segment } from '../../workflows/types';
import { replayDataConverter } from './encryptionKey';

async function happyPaths(encrypted: boolean): Promise<void> {
  const dataConverter = encrypted ? replayDataConverter() : undefined;
  const env = await createTimeSkippingEnv(dataConverter ? { dataConverter } : {});
  try {
    const segments: Segment[] = encrypted ? ['core'] : ['core', 'strategic', 'transactional'];
    for (const segment of segments) {
      const run = await runHappyPath(env, segment, undefined, dataConverter);
      // Named by the default playbook's version: older recordings stay, and keep replaying.
      const name = `${segment}-happy-path-${DEFAULT_PLAYBOOK.version}${encrypted ? '-encrypted' : ''}.json`;
      const file = path.join(__dirname, 'histories', name);
      const onboarding = run.runs[0]!; // contract to graduation; later runs are the ongoing reviews
      fs.writeFileSync(file, historyToJSON(onboarding) + '\n');
      console.log(`${file}: ${onboarding.events.length} events, ended in phase ${run.state.phase}`);
    }
  } finally {
    await env.teardown();
  }
}

async function decisions(name: string, via: 'signals' | 'updates'): Promise<void> {
  const env = await createDevEnv();
  try {
    const { history, state } = await runDecisionJourney(env, via);
    const file = path.join(__dirname, 'histories', `${name}.json`);
    fs.writeFileSync(file, historyToJSON(history) + '\n');
    console.log(`${file}: ${history.events?.length} events, phase ${state.phase}, extensions ${state.extensions}`);
  } finally {
    await env.teardown();
  }
}

async function digestManager(): Promise<void> {
  const env = await createTimeSkippingEnv();
  try {
    const manager = { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true, timezone: 'Europe/Berlin' };
    const run = await runHappyPath(env, 'core', 130, undefined, { partnerManager: manager });
    const file = path.join(__dirname, 'histories', 'core-digest-manager.json');
    fs.writeFileSync(file, historyToJSON(run.runs[0]!) + '\n');
    console.log(`${file}: ${run.runs[0]!.events.length} events, ended in phase ${run.state.phase}`);
  } finally {
    await env.teardown();
  }
}

const mode = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'happy';
const run =
  mode === 'happy'
    ? happyPaths(process.argv.includes('--encrypted'))
    : mode === 'decisions'
      ? decisions('core-decisions-by-signal', 'signals')
      : mode === 'decision-updates'
        ? decisions('core-decisions-by-update', 'updates')
        : mode === 'digest'
          ? digestManager()
          : Promise.reject(new Error(`unknown mode ${mode}: happy [--encrypted] | decisions | decision-updates | digest`));
run.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
