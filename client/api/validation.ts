/**
 * Request validation with the contract's zod schemas. Every problem is reported
 * with its field path; items of an array body carry their index: `[2].data.score`.
 */
import { z } from 'zod';
import { PartnerEvent, fieldErrors, type FieldError } from '../../workflows/types';
import { InvalidInputError } from '../errors';

export const MAX_EVENTS_PER_REQUEST = 100;

const fields = fieldErrors;

/** Parses or throws InvalidInputError naming every invalid field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(fields(result.error));
  return result.data;
}

type Checked = { ok: true; event: PartnerEvent } | { ok: false; errors: FieldError[] };

function checkEvent(input: unknown, prefix: PropertyKey[]): Checked {
  const result = PartnerEvent.safeParse(input);
  if (result.success) return { ok: true, event: result.data as PartnerEvent };
  const errors = fields(result.error, prefix);
  if (!result.error.issues.some((i) => i.path.length === 1 && i.path[0] === 'type')) return { ok: false, errors };
  // An unknown type hides the envelope's problems: check it as a data-less type to name them too.
  const envelope = PartnerEvent.safeParse({ ...(input as object), type: 'kickoff_completed', data: undefined });
  return { ok: false, errors: envelope.success ? errors : [...fields(envelope.error, prefix), ...errors] };
}

/** One event or an array of 1..100 events; throws InvalidInputError naming every invalid field. */
export function parseEventBatch(input: unknown): PartnerEvent[] {
  const batch = Array.isArray(input);
  if (batch && (input.length === 0 || input.length > MAX_EVENTS_PER_REQUEST)) {
    throw new InvalidInputError([
      { field: '(root)', message: `must hold 1 to ${MAX_EVENTS_PER_REQUEST} events (got ${input.length})` },
    ]);
  }
  const checked = (batch ? input : [input]).map((item, i) => checkEvent(item, batch ? [i] : []));
  const events = checked.flatMap((c) => (c.ok ? [c.event] : []));
  if (events.length < checked.length) throw new InvalidInputError(checked.flatMap((c) => (c.ok ? [] : c.errors)));
  return events;
}

/** The request body schema for OpenAPI: what parseEventBatch accepts. */
export const EventBatch = z.union([PartnerEvent, z.array(PartnerEvent).min(1).max(MAX_EVENTS_PER_REQUEST)]);
