/**
 * The floor the benchmarks compare the project against: an empty workflow that
 * counts signals and answers a query with the count. Bundled on its own
 * (bench/support.ts `baselineBundle`), never part of the product's bundle.
 */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

export const BASELINE_WORKFLOW_TYPE = 'signalCounter';

/** Same name and argument as the product's event signal, so payloads compare. */
export const countedSignal = defineSignal<[unknown]>('partnerEvent');
export const signalCountQuery = defineQuery<number>('signalCount');

export async function signalCounter(): Promise<void> {
  let count = 0;
  setHandler(countedSignal, () => {
    count += 1;
  });
  setHandler(signalCountQuery, () => count);
  await condition(() => false);
}
