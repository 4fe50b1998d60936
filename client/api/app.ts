/**
 * The HTTP API as a fastify instance (not listening): JSON logs in the process's
 * one format (config/logging.ts) with request ids and no secrets, bodies or
 * e-mail addresses; bearer and webhook auth; zod validation naming every
 * invalid field; one error shape for every failure; the payload codec endpoint
 * (./codec.ts) with its CORS.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../../config/env';
import { createRootLogger, processLogger } from '../../config/logging';
import type { Playbook } from '../../workflows/playbook';
import { payloadCodec } from '../encryption';
import { OnboardingClient } from '../onboardingClient';
import { AccountsClient, conflictRuleOf } from '../accounts';
import { Authenticator, assertSafeBinding } from './auth';
import { CODEC_ROUTES, codecCorsAllows, registerCodecCors } from './codec';
import { HttpError, toHttpError } from './errors';
import { installCrossSiteGuard } from './crossSite';
import { MethodGuard } from './methods';
import { createApiMetrics } from './metrics';
import { buildOpenApi } from './openapi';
import type { ApiRoute, ReportsProvider, RouteContext } from './route';
import { preferencesService } from '../preferences';
import { ROUTES } from './routes';
import { SlackInteractions } from './slack';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received: webhook signatures cover these exact bytes. */
    rawBody?: string;
  }
}

export interface ApiServerOptions {
  client: Client;
  config: Config;
  /** Pinned into every onboarding this API starts. */
  playbook: Playbook;
  /** Builds GET /v1/reports/onboarding; without it the route answers 501. */
  reports?: ReportsProvider;
  /** Defaults: the process's logger at config.logLevel, to stdout. */
  logger?: { level?: Config['logLevel'] | 'silent'; stream?: { write(line: string): void } };
}

/** The contract's routes and the codec endpoint for the Temporal Web UI and CLI. */
const routes = [...ROUTES, ...CODEC_ROUTES];

/** 100 events of a few KiB each fit comfortably. */
export const BODY_LIMIT_BYTES = 512 * 1024;
/** Temporal calls of one request end by then: an unreachable cluster is a 503, not a hung request. */
const TEMPORAL_DEADLINE_MS = 10_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The process's pino logger (config/logging.ts: level names, ISO time, redaction),
 * as component "api". Requests log their path only (a query string may carry a
 * manager's e-mail); never headers or bodies.
 */
function apiLogger(config: Config, override: ApiServerOptions['logger']): FastifyBaseLogger {
  const root = override
    ? createRootLogger({ level: override.level ?? config.logLevel, ...(override.stream ? { stream: override.stream } : {}) })
    : processLogger(config.logLevel);
  return root.child(
    { component: 'api' },
    {
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  );
}

/**
 * Fastify's request logging with one line per request at `info`: the completed
 * request says what it was (method and path) and how it ended. The line when it
 * comes in is for `debug`: every line is a synchronous write to stdout
 * (config/logging.ts), paid on each of the intake's events. Errors log as
 * fastify logs them.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  assertSafeBinding(config.http);
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // Longer than any declared path parameter (an account: 253 characters, up to 12 bytes each once percent-encoded), so that a long one gets the route's 400 naming it, not 414.
    routerOptions: { maxParamLength: 4096 },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }),
    loggerInstance: apiLogger(config, options.logger),
  });
  const auth = new Authenticator(config.http);
  if (auth.open) {
    app.log.warn(`API_KEYS is not set: the API is open to anyone who can reach it, so it listens on loopback (${config.http.host}) only`);
  }

  app.decorateRequest('rawBody', undefined);
  // `__proto__` and `constructor.prototype` keys are dropped like any unknown field (never assigned
  // to a prototype): the documented objects accept additional properties and ignore them.
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const raw = body.toString();
    req.rawBody = raw;
    void parseJson(req, raw, done);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  MethodGuard.install(app);
  installCrossSiteGuard(app, auth.open, (req) => codecCorsAllows(req, config.encryption.corsOrigins));
  const metrics = createApiMetrics();
  app.addHook('onResponse', async (req, reply) => {
    metrics.observe({ method: req.method, route: req.routeOptions.url, body: req.body }, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err, req, reply) => {
    const known = toHttpError(err);
    if (!known) req.log.error({ err }, 'request failed');
    const e = known ?? new HttpError(500, 'internal', 'the request failed; the request id finds it in the logs');
    return reply
      .code(e.status)
      .headers(e.headers ?? {})
      .send({ error: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}), requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, requestId: req.id }),
  );

  const preferences = preferencesService(options.client, config);
  if (!preferences.links) app.log.warn('PREFERENCES_SECRET is not set: unsubscribe links are off (GET /unsubscribe answers 404)');
  const onboarding = new OnboardingClient(options.client, { taskQueue: config.temporal.taskQueue, playbook: options.playbook });
  const ctx: RouteContext = {
    onboarding,
    accounts: new AccountsClient(options.client, { taskQueue: config.temporal.taskQueue, rule: conflictRuleOf(options.playbook) }),
    reports: options.reports,
    openapi: buildOpenApi(routes),
    metrics,
    codec: payloadCodec(config),
    codecCorsOrigins: config.encryption.corsOrigins,
    preferences: { ...preferences, programName: options.playbook.program.name },
    slack: new SlackInteractions(
      { signingSecret: config.slack.signingSecret, botToken: config.slack.token, apiUrl: config.slack.apiUrl },
      onboarding,
    ),
  };
  registerCodecCors(app, config.encryption.corsOrigins);
  const register = (instance: FastifyInstance, route: ApiRoute) =>
    instance.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      ...(route.bodyLimit && { bodyLimit: route.bodyLimit }),
      onRequest: async (req) => auth.checkBearer(req, route.access),
      preHandler: async (req) => auth.checkSignature(req, route.access, req.rawBody ?? ''),
      handler: async (req, reply) => {
        const input = { params: req.params, query: req.query, body: req.body, headers: req.headers, rawBody: req.rawBody ?? '' };
        const { status, body, contentType, headers } = await options.client.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
          route.run(input, ctx),
        );
        if (contentType) reply.type(contentType);
        if (headers) reply.headers(headers);
        return reply.code(status).send(body);
      },
    });
  for (const route of routes.filter((r) => r.bodyType !== 'form')) register(app, route);
  // Form bodies (the unsubscribe page, RFC 8058 one-click, Slack's interactions) are parsed only for the
  // routes that take them: elsewhere they stay a 415. The raw text is kept for signatures (Slack's v0).
  await app.register(async (scoped) => {
    scoped.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
      const raw = body.toString();
      req.rawBody = raw;
      done(null, Object.fromEntries(new URLSearchParams(raw)));
    });
    // RFC 8058 lets a mail client post its one-click body as multipart/form-data too.
    scoped.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (req, body, done) => {
      const raw = body.toString();
      req.rawBody = raw;
      done(null, multipartFields(raw));
    });
    for (const route of routes.filter((r) => r.bodyType === 'form')) register(scoped, route);
  });
  await app.ready();
  return app;
}

/** The text fields of a small multipart/form-data body (no files: a one-click unsubscribe). */
export function multipartFields(raw: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of raw.matchAll(/content-disposition:\s*form-data;\s*name="([^"]{1,100})"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)/gi)) {
    fields[m[1]!] = m[2]!;
  }
  return fields;
}
