/**
 * Records the history of each segment's happy path into test/replay/histories/,
 * for the replay test. Re-record deliberately, only when a change is meant to be
 * incompatible and is versioned (workflow `patched()`), never to make CI green:
 *
 *   npx tsx test/replay/record.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { runHappyPath } from '../helpers/runJourney';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Segment } from '../../workflows/types';

async function main(): Promise<void> {
  const env = await createTimeSkippingEnv();
  try {
    for (const segment of ['core', 'strategic', 'transactional'] as Segment[]) {
      const run = await runHappyPath(env, segment);
      // Named by the default playbook's version: older recordings stay, and keep replaying.
      const file = path.join(__dirname, 'histories', `${segment}-happy-path-${DEFAULT_PLAYBOOK.version}.json`);
      const onboarding = run.runs[0]!; // contract to graduation; later runs are the ongoing reviews
      fs.writeFileSync(file, historyToJSON(onboarding) + '\n');
      console.log(`${file}: ${onboarding.events.length} events, ended in phase ${run.state.phase}`);
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
