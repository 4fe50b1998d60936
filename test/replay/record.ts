/**
 * Records histories into test/replay/histories/ for the replay test. Re-record
 * deliberately, only when a change is meant to be incompatible and is versioned
 * (workflow `patched()`), never to make CI green:
 *
 *   npx tsx test/replay/record.ts                    # <segment>-happy-path-<playbook version>.json
 *   npx tsx test/replay/record.ts --encrypted        # core-happy-path-<playbook version>-encrypted.json,
 *                                                    # with payload encryption (./encryptionKey.ts)
 *   npx tsx test/replay/record.ts --suffix=NAME      # <segment>-happy-path-<playbook version>-NAME.json: recordings
 *                                                    # of a new patch next to those of the same version before it
 *                                                    # (e.g. report-on-change)
 *   npx tsx test/replay/record.ts decisions          # core-decisions-by-signal-<playbook version>.json: a checkpoint
 *                                                    # decided and a milestone waived by signal (dev server)
 *   npx tsx test/replay/record.ts decision-updates   # core-decisions-by-update-<playbook version>.json: the same by
 *                                                    # Update, with refused ones (dev server); --suffix=NAME as above
 *   npx tsx test/replay/record.ts digest             # core-digest-manager-<playbook version>.json: the decisions by
 *                                                    # Update for a digest manager's partner (dev server)
 *
 * core-decisions-by-signal.json and core-decisions-by-update.json (no version in
 * the name) were recorded with default-2026.11 and stay.
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

async function happyPaths(encrypted: boolean, suffixArg: string | undefined): Promise<void> {
  const suffix = suffixArg ? `-${suffixArg}` : '';
  const dataConverter = encrypted ? replayDataConverter() : undefined;
  const env = await createTimeSkippingEnv(dataConverter ? { dataConverter } : {});
  try {
    const segments: Segment[] = encrypted ? ['core'] : ['core', 'strategic', 'transactional'];
    for (const segment of segments) {
      const run = await runHappyPath(env, segment, undefined, dataConverter);
      // Named by the default playbook's version: older recordings stay, and keep replaying.
      const name = `${segment}-happy-path-${DEFAULT_PLAYBOOK.version}${encrypted ? '-encrypted' : ''}${suffix}.json`;
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

/**
 * A digest manager's partner (one digest across partners: behind the patch, it pings the manager nothing and
 * publishes its entry in its memo), decided by Update. Recorded on the dev server. (It used to stall on the
 * time-skipping test server, which refused one workflow task completion; on 2026-11-30 the same journey ran
 * there to the same 41 events.)
 */
async function digestManager(): Promise<void> {
  const env = await createDevEnv();
  try {
    const manager = { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true, timezone: 'Europe/Berlin' };
    const { history, state } = await runDecisionJourney(env, 'updates', { partnerManager: manager });
    const file = path.join(__dirname, 'histories', `core-digest-manager-${DEFAULT_PLAYBOOK.version}.json`);
    fs.writeFileSync(file, historyToJSON(history) + '\n');
    console.log(`${file}: ${history.events?.length} events, phase ${state.phase}, extensions ${state.extensions}`);
  } finally {
    await env.teardown();
  }
}

const mode = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'happy';
const suffix = process.argv.find((arg) => arg.startsWith('--suffix='))?.slice('--suffix='.length);
const run =
  mode === 'happy'
    ? happyPaths(process.argv.includes('--encrypted'), suffix)
    : mode === 'decisions'
      ? decisions(`core-decisions-by-signal-${DEFAULT_PLAYBOOK.version}`, 'signals')
      : mode === 'decision-updates'
        ? decisions(`core-decisions-by-update-${DEFAULT_PLAYBOOK.version}${suffix ? `-${suffix}` : ''}`, 'updates')
        : mode === 'digest'
          ? digestManager()
          : Promise.reject(new Error(`unknown mode ${mode}: happy [--encrypted] | decisions | decision-updates | digest`));
run.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
