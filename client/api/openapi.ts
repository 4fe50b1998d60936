/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas
 * (zod 4's JSON Schema output is draft 2020-12, OpenAPI 3.1's dialect).
 */
import { z } from 'zod';
import { version } from '../../package.json';
import { REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './auth';
import type { ResponseDoc, RouteDoc } from './route';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, SLACK_WINDOW_SECONDS } from './slack';
import { SCHEMAS, type SchemaName } from './schemas';

type JsonSchema = Record<string, unknown>;

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema as JsonSchema]),
  );
}

function parameters(route: RouteDoc): JsonSchema[] {
  const located = [
    ['path', route.params],
    ['query', route.query],
  ] as const;
  return located.flatMap(([where, schema]) => {
    if (!schema) return [];
    const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  });
}

const STANDARD_ERRORS: Record<number, string> = {
  400: 'invalid input: `fields` names every invalid field (array items by index, e.g. `[2].data.score`)',
  401: 'missing or invalid credentials',
  403: 'the key does not have a role this route needs, or a browser sent this state-changing request from another site',
  413: 'the body is too large',
  415: 'the body is not sent in the media type this route takes (application/json, or a form for Slack)',
  503: 'Temporal is unreachable',
};

function responses(route: RouteDoc): Record<string, JsonSchema> {
  const validated = Boolean(route.params || route.query || route.body);
  const standard = [
    ...(validated ? [400] : []),
    ...(route.access === 'public' ? [] : [401, 403, 503]),
    ...(route.body ? [413, 415] : []),
  ];
  const all: Record<number, ResponseDoc> = {
    ...Object.fromEntries(standard.map((status) => [status, { description: STANDARD_ERRORS[status], schema: 'ApiError' }])),
    ...route.responses,
  };
  return Object.fromEntries(
    Object.entries(all).map(([status, doc]) => [
      status,
      {
        description: doc.description,
        content: doc.contentType
          ? Object.fromEntries([doc.contentType].flat().map((type) => [type, { schema: { type: 'string' } }]))
          : { 'application/json': { schema: doc.schema ? ref(doc.schema) : { type: 'object' } } },
      },
    ]),
  );
}

function operation(route: RouteDoc): JsonSchema {
  const { access } = route;
  const security =
    access === 'public'
      ? []
      : access === 'slack'
        ? [{ slackSignature: [], slackTimestamp: [] }]
        : [
            { bearerAuth: [] },
            ...(access.webhook ? [{ webhookSignature: [], webhookTimestamp: [] }] : []),
            ...(access.basic ? [{ basicAuth: [] }] : []),
            ...(access.link ? [{ preferencesLink: [] }] : []),
          ];
  const mediaType = route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security,
    ...(typeof access === 'object' ? { 'x-roles': access.roles } : {}),
    parameters: parameters(route),
    ...(route.body ? { requestBody: { required: route.bodyType !== 'form', content: { [mediaType]: { schema: ref(route.body) } } } } : {}),
    responses: responses(route),
  };
}

export function buildOpenApi(routes: readonly RouteDoc[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Partner Onboarding API',
      version,
      description: [
        'Durable partner onboarding on Temporal.',
        'Every answer carries X-Request-Id (an incoming one is honoured).',
        'Errors are `{ error, message, fields?, requestId }`.',
        'A method a path does not list here answers 405 with `Allow` (HEAD is served wherever GET is; OPTIONS answers 204 with `Allow`);',
        'a path not listed here answers 404.',
        'When the API is open (no API_KEYS, loopback only), a request to a Host that is not a loopback name answers 403.',
      ].join(' '),
    },
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key from API_KEYS (role:key pairs; roles ops, system, manager). ' +
            'With no keys configured the API is open, on loopback only.',
        },
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description: 'The codec endpoint only: any user name, an API key as password (a browser remembers it for the Temporal Web UI).',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: SIGNATURE_HEADER,
          description: `sha256=<hex HMAC-SHA256 with WEBHOOK_SECRET of "\${timestamp}.\${rawBody}">; counts as the system role`,
        },
        preferencesLink: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description:
            "the token of a recipient's signed preferences link (the unsubscribe link in every e-mail, signed with PREFERENCES_SECRET): " +
            'it works for that one recipient only',
        },
        webhookTimestamp: {
          type: 'apiKey',
          in: 'header',
          name: TIMESTAMP_HEADER,
          description: `unix seconds; refused when more than ${REPLAY_WINDOW_SECONDS} s away from the server's clock`,
        },
        slackSignature: {
          type: 'apiKey',
          in: 'header',
          name: SLACK_SIGNATURE_HEADER,
          description: 'v0=<hex HMAC-SHA256 with SLACK_SIGNING_SECRET of "v0:${timestamp}:${rawBody}">, as Slack signs its requests',
        },
        slackTimestamp: {
          type: 'apiKey',
          in: 'header',
          name: SLACK_TIMESTAMP_HEADER,
          description: `unix seconds; refused when more than ${SLACK_WINDOW_SECONDS} s away from the server's clock`,
        },
      },
    },
  };
}
