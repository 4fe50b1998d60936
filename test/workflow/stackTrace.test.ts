/**
 * What an operator sees of a waiting partner in the Temporal UI's "Stack Trace"
 * tab (the `__stack_trace` query): where in the workflow code it waits, at the
 * right line of the source. The product's bundling adds to the first line of each
 * workflow module (workers/builtInsLoader.js) and must leave the others in place.
 */
import fs from 'node:fs';
import { profileFor } from '../helpers/journeys';
import { startPartner } from '../helpers/runJourney';
import { timeSkippingWorkerPerFile, uniq } from '../helpers/temporal';

const server = timeSkippingWorkerPerFile('stack-trace');

test("a waiting partner's stack trace names the line of partnerOnboarding.ts where it waits", async () => {
  const source = fs.readFileSync(require.resolve('../../workflows/partnerOnboarding.ts'), 'utf8').split('\n');
  const waits = source.findIndex((line) => line.includes('await condition(() => dirty || timer.fired)')) + 1;
  expect(waits).toBeGreaterThan(1);
  const { handle } = await startPartner(server.env, server.taskQueue, profileFor('core', uniq('stack')));
  // First it delivers the start's notifications (its trace then names `deliver`), then it waits for the next moment.
  let trace = '';
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    trace = await handle.query<string>('__stack_trace');
    if (!trace.includes('deliver')) break;
  }
  await handle.terminate('checked');
  expect(trace).toMatch(new RegExp(`^\\s*at partnerOnboarding \\(.*workflows/partnerOnboarding\\.ts:${waits}:\\d+\\)$`, 'm'));
});
