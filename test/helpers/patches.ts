/** What a history records about workflow patches (workflows/patches.ts). */
import type { temporal } from '@temporalio/proto';

type Events = temporal.api.history.v1.IHistoryEvent[] | null | undefined;

/** The patch ids a history's markers record (`patched()` calls that took the new branch). */
export function patchesOf(events: Events): string[] {
  return (events ?? [])
    .map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data)
    .filter((data): data is Uint8Array => Boolean(data))
    .map((data) => (JSON.parse(Buffer.from(data).toString()) as { id: string }).id);
}

/** Search-attribute upserts that only carry the SDK's `TemporalChangeVersion` (one per patch marker). */
export function changeVersionUpserts(events: Events): number {
  return (events ?? []).filter((e) => {
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    return fields && Object.keys(fields).join() === 'TemporalChangeVersion';
  }).length;
}
