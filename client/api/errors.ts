/**
 * Every failure the API answers with, as `{ error, message, fields?, requestId }`.
 * Known errors map to one 4xx (or 503 when Temporal is unreachable); anything
 * else is a 500 and is logged.
 */
import type { FastifyError } from 'fastify';
import type { FieldError } from '../../workflows/types';
import { AccountNotFoundError, AccountRequestRefusedError } from '../accounts';
import { InvalidInputError, PageNotFoundError, ReportWarmingUpError, PartnerNotFoundError, PlaybookConflictError, PlaybookNotFoundError, ProfileConflictError, UpdateRefusedError, grpcCode } from '../errors';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** Fastify's own request errors (body parsing and limits), by code. */
const FASTIFY_ERRORS = new Map<string, () => HttpError>(Object.entries({
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new HttpError(400, 'invalid_json', 'the body is not valid JSON', [
      { field: '(root)', message: 'must be valid JSON' },
    ]),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new HttpError(400, 'invalid_json', 'the body is empty', [{ field: '(root)', message: 'must be a JSON document' }]),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new HttpError(413, 'payload_too_large', 'the body is larger than this API accepts'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new HttpError(415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json'),
}));

/** Errors fastify raises for a request it cannot take (they carry a 4xx statusCode). */
function isRequestError(err: unknown): err is FastifyError {
  const status = (err as FastifyError | undefined)?.statusCode;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/** The HTTP answer for a known error; null for an unexpected one (a 500). */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof InvalidInputError) return new HttpError(400, 'validation_failed', 'the request is invalid', err.fields);
  if (err instanceof PartnerNotFoundError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof PageNotFoundError) return new HttpError(404, 'page_not_found', err.message);
  if (err instanceof ProfileConflictError) return new HttpError(409, 'conflict', err.message);
  if (err instanceof AccountNotFoundError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof AccountRequestRefusedError) return new HttpError(409, 'conflict', err.message);
  if (err instanceof UpdateRefusedError) return new HttpError(409, 'refused', err.message);
  if (err instanceof PlaybookNotFoundError) return new HttpError(404, 'not_found', err.message);
  if (err instanceof PlaybookConflictError) return new HttpError(409, 'conflict', err.message);
  if (err instanceof ReportWarmingUpError) return new HttpError(503, 'report_warming_up', err.message, undefined, { 'retry-after': '5' });
  const code = grpcCode(err);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) {
    return new HttpError(503, 'temporal_unavailable', 'Temporal did not answer; try again shortly');
  }
  if (isRequestError(err)) {
    return FASTIFY_ERRORS.get(err.code)?.() ?? new HttpError(err.statusCode ?? 400, 'bad_request', err.message);
  }
  return null;
}
