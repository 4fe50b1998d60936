/**
 * One API route, declared once: its access rule, its zod schemas (which both
 * validate requests and generate the OpenAPI document) and its handler.
 */
import type { PayloadCodec } from '@temporalio/common';
import type { z } from 'zod';
import type { FieldError } from '../../workflows/types';
import { InvalidInputError } from '../errors';
import type { OnboardingClient } from '../onboardingClient';
import type { AccountsClient } from '../accounts';
import type { ReportQuery } from '../apiTypes';
import type { Access } from './auth';
import type { ApiMetrics } from './metrics';
import type { PreferencesApi } from './preferenceRoutes';
import type { SlackInteractions } from './slack';
import type { SchemaName } from './schemas';
import { parseOrThrow } from './validation';

/** Builds the program's indicators for GET /v1/reports/onboarding; injected (see createApiServer). */
export type ReportsProvider = (query: ReportQuery) => Promise<unknown>;

export interface RouteContext {
  onboarding: OnboardingClient;
  accounts: AccountsClient;
  reports?: ReportsProvider;
  openapi: object;
  metrics: ApiMetrics;
  /** The payload codec of PAYLOAD_ENCRYPTION_KEYS, for the codec endpoint (./codec.ts); unset: encryption off. */
  codec?: PayloadCodec;
  /** Browser origins allowed to call the codec endpoint (CODEC_CORS_ORIGINS). */
  codecCorsOrigins?: readonly string[];
  /** Notification preferences and their signed links. */
  preferences: PreferencesApi;
  slack: SlackInteractions;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Default: JSON. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseDoc {
  description: string;
  schema?: SchemaName;
  /** A text response (e.g. the Prometheus exposition format) instead of JSON; several when it depends on the resource. */
  contentType?: string | string[];
}

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PATCH';
  /** OpenAPI path template, e.g. `/v1/partners/{partnerId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: SchemaName;
  /** A larger body limit than the API's default (e.g. the codec's payload batches). */
  bodyLimit?: number;
  /** How the body is sent: JSON (the default), or a form (application/x-www-form-urlencoded: the unsubscribe page, Slack's interactions). */
  bodyType?: 'json' | 'form';
  responses: Record<number, ResponseDoc>;
}

export interface RawInput {
  params: unknown;
  query: unknown;
  body: unknown;
  headers: Record<string, unknown>;
  /** The body as received (signatures cover these exact bytes). */
  rawBody: string;
}

export interface ApiRoute extends RouteDoc {
  /** Validates the raw input (throwing InvalidInputError) and runs the handler. */
  run(input: RawInput, ctx: RouteContext): Promise<Reply>;
}

interface RouteDefinition<P extends z.ZodObject, Q extends z.ZodObject, B> extends Omit<RouteDoc, 'params' | 'query'> {
  params?: P;
  query?: Q;
  /** Turns the raw body into the handler's input, throwing InvalidInputError. */
  parseBody?: (raw: unknown) => B;
  handle(
    input: { params: z.output<P>; query: z.output<Q>; body: B; headers: Record<string, unknown>; rawBody: string },
    ctx: RouteContext,
  ): Promise<Reply>;
}

/** Runs each step, collecting InvalidInputError fields so one answer names every problem. */
function collect<T>(errors: FieldError[], step: () => T): T | undefined {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    errors.push(...err.fields);
    return undefined;
  }
}

export function defineRoute<P extends z.ZodObject, Q extends z.ZodObject, B = undefined>(
  definition: RouteDefinition<P, Q, B>,
): ApiRoute {
  const { parseBody, handle, ...doc } = definition;
  return {
    ...doc,
    async run(raw, ctx) {
      const errors: FieldError[] = [];
      const params = collect(errors, () => (doc.params ? parseOrThrow(doc.params, raw.params) : {}));
      const query = collect(errors, () => (doc.query ? parseOrThrow(doc.query, raw.query ?? {}) : {}));
      const body = collect(errors, () => parseBody?.(raw.body));
      if (errors.length) throw new InvalidInputError(errors);
      return handle(
        { params: params as z.output<P>, query: query as z.output<Q>, body: body as B, headers: raw.headers, rawBody: raw.rawBody },
        ctx,
      );
    },
  };
}
