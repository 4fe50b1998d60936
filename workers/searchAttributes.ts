/**
 * The worker refuses to start on a namespace that lacks one of our search
 * attributes: a workflow upserting an unregistered attribute fails its
 * workflow task again and again, so a missing registration would stall every
 * partner silently. `npm start` and `npm run cluster` register them; other
 * clusters and Temporal Cloud need them registered once (README).
 */
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../workflows/messages';

const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** Our search attributes that the namespace lacks (or has with another type), as `Name (Type)`. */
export async function missingSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return SEARCH_ATTRIBUTE_KEYS.filter((key) => customAttributes?.[key.name] !== TYPES[key.type]).map(
    (key) => `${key.name} (${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]})`,
  );
}

/** The one-line error for missing attributes, with the commands that register them. */
export function missingSearchAttributesMessage(namespace: string, missing: string[]): string {
  const commands = missing
    .map((m) => m.match(/^(\S+) \((\S+)\)$/)!)
    .map(([, name, type]) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`);
  return `search attributes missing on namespace ${namespace}: ${missing.join(', ')}; register them first (${commands.join('; ')})`;
}
