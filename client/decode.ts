/**
 * Reading raw Temporal protos (visibility rows, history events) the way the SDK
 * would: payloads through the client's codecs and payload converter, search
 * attributes through the default converter, timestamps as ISO strings.
 */
import { defaultPayloadConverter, type LoadedDataConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

/** Decodes payloads with the client's codecs (the last applied is undone first) and payload converter. */
export async function decodePayloads(converter: LoadedDataConverter, payloads: Payload[] | null | undefined): Promise<unknown[]> {
  if (!payloads?.length) return [];
  let decoded = payloads;
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((p) => converter.payloadConverter.fromPayload(p));
}

/** Decodes a memo (or any payload map) with the client's data converter. */
export async function decodeMemo(
  converter: LoadedDataConverter,
  fields: Record<string, Payload> | null | undefined,
): Promise<Record<string, unknown>> {
  const entries = Object.entries(fields ?? {});
  const values = await decodePayloads(converter, entries.map(([, p]) => p));
  return Object.fromEntries(entries.map(([k], i) => [k, values[i]]));
}

/**
 * A failure's message. With payload encryption the failure converter moves the
 * message into the failure's encoded attributes (a payload the codec encrypts)
 * and leaves "Encoded failure" in its place.
 */
export async function failureMessage(converter: LoadedDataConverter, failure: temporal.api.failure.v1.IFailure): Promise<string> {
  if (!failure.encodedAttributes) return failure.message || 'failed';
  const [attributes] = await decodePayloads(converter, [failure.encodedAttributes as Payload]);
  const message = (attributes as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : failure.message || 'failed';
}

/** A Keyword search attribute's value (search attributes never pass through codecs). */
export function keyword(fields: Record<string, Payload> | null | undefined, name: string): string | null {
  const payload = fields?.[name];
  if (!payload) return null;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : null;
}

interface ProtoTimestamp {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}

export function timestampMs(ts: ProtoTimestamp | null | undefined): number | null {
  if (!ts) return null;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export function timestampIso(ts: ProtoTimestamp | null | undefined): string | null {
  const ms = timestampMs(ts);
  return ms === null ? null : new Date(ms).toISOString();
}
