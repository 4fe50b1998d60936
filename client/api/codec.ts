/**
 * The remote codec endpoint for the Temporal Web UI and CLI (Temporal's codec
 * server protocol): `POST /codec/decode` and `POST /codec/encode` take and
 * return `{ "payloads": [ { "metadata": { "<key>": "<base64>" }, "data": "<base64>" } ] }`
 * (Payloads in protobuf JSON: every bytes value base64), run through the payload
 * codec of PAYLOAD_ENCRYPTION_KEYS.
 *
 * - Auth: the manager role, as `Authorization: Bearer <key>` (the CLI's
 *   `--codec-auth`), or HTTP Basic with the key as password, which a browser
 *   remembers after `GET /codec` so that the Web UI's requests carry it
 *   ("Include cross-origin credentials" in the UI's codec settings).
 * - CORS: browser origins from CODEC_CORS_ORIGINS (by default the embedded dev
 *   server's UI); preflights need no key, and other origins get a 403.
 *
 * See docs/operations.md, "Payload encryption".
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../encryption';
import { InvalidInputError } from '../errors';
import { HttpError } from './errors';
import { defineRoute, type ApiRoute, type RouteContext } from './route';
import { parseOrThrow } from './validation';

/** Temporal allows payloads up to 2 MiB each; a batch of several fits. */
export const CODEC_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
const MAX_PAYLOADS = 1000;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, { message: 'must be base64' });
const JsonPayload = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});
export const CodecPayloads = z
  .object({ payloads: z.array(JsonPayload).max(MAX_PAYLOADS) })
  .meta({ description: 'Temporal Payloads in protobuf JSON: metadata values and data are base64.' });
type CodecPayloads = z.infer<typeof CodecPayloads>;

function fromJson(body: CodecPayloads): Payload[] {
  return body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
}

function toJson(payloads: Payload[]): CodecPayloads {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

function requireCodec(codec: PayloadCodec | undefined): PayloadCodec {
  if (!codec) {
    throw new HttpError(
      501,
      'encryption_off',
      'PAYLOAD_ENCRYPTION_KEYS is not set: payloads are stored in plaintext and need no codec',
    );
  }
  return codec;
}

/** One payload at a time, so a payload that does not decrypt is named by its index. */
async function decodeEach(codec: PayloadCodec, payloads: Payload[]): Promise<Payload[]> {
  const out: Payload[] = [];
  const errors: { field: string; message: string }[] = [];
  for (const [i, payload] of payloads.entries()) {
    try {
      out.push(...(await codec.decode([payload])));
    } catch (err) {
      if (!(err instanceof PayloadDecryptionError)) throw err;
      errors.push({ field: `payloads[${i}]`, message: err.message });
    }
  }
  if (errors.length) throw new InvalidInputError(errors);
  return out;
}

const ACCESS = { roles: ['manager'], basic: true } as const;
const RESPONSES = {
  200: { description: 'the payloads, run through the codec', schema: 'CodecPayloads' },
  501: { description: 'payload encryption is off (PAYLOAD_ENCRYPTION_KEYS unset)', schema: 'ApiError' },
} as const;

export const CODEC_ROUTES: ApiRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/codec/decode',
    operationId: 'codecDecode',
    summary: 'Decrypt payloads for the Temporal Web UI and CLI (remote codec protocol)',
    description:
      'Payloads that are not encrypted come back unchanged. A payload whose key id is not in PAYLOAD_ENCRYPTION_KEYS, ' +
      'or which does not decrypt, is a 400 naming it (payloads[i]).',
    access: ACCESS,
    bodyLimit: CODEC_BODY_LIMIT_BYTES,
    body: 'CodecPayloads',
    parseBody: (raw) => parseOrThrow(CodecPayloads, raw),
    responses: RESPONSES,
    handle: async ({ body }, { codec }) => ({ status: 200, body: toJson(await decodeEach(requireCodec(codec), fromJson(body))) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/codec/encode',
    operationId: 'codecEncode',
    summary: 'Encrypt payloads with the current key (for input the Web UI or CLI sends to a workflow)',
    access: ACCESS,
    bodyLimit: CODEC_BODY_LIMIT_BYTES,
    body: 'CodecPayloads',
    parseBody: (raw) => parseOrThrow(CodecPayloads, raw),
    responses: RESPONSES,
    handle: async ({ body }, { codec }) => ({ status: 200, body: toJson(await requireCodec(codec).encode(fromJson(body))) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/codec',
    operationId: 'codecInfo',
    summary: 'Where the codec is, and a page a browser signs in to (HTTP Basic, the manager key as password)',
    description:
      'Opening it in a browser asks for a manager key; the browser then sends it with the Temporal Web UI\'s codec ' +
      'requests when the UI\'s "Include cross-origin credentials" setting is on.',
    access: ACCESS,
    responses: { 200: { description: 'the codec endpoint and what it accepts', schema: 'CodecInfo' } },
    handle: async (_input, ctx: RouteContext) => ({
      status: 200,
      body: {
        encryption: ctx.codec ? 'on' : 'off',
        decode: '/codec/decode',
        encode: '/codec/encode',
        corsOrigins: ctx.codecCorsOrigins ?? [],
      },
    }),
  }),
];

export const CodecInfo = z.object({
  encryption: z.enum(['on', 'off']),
  decode: z.string(),
  encode: z.string(),
  corsOrigins: z.array(z.string()),
});

const CORS_MAX_AGE_SECONDS = 600;

function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
}

/**
 * CORS for the codec routes: allowed origins get their origin back (with
 * credentials) on every answer, preflights included; preflights need no key.
 */
const isCodec = (url: string) => url === '/codec' || url.startsWith('/codec/') || url.startsWith('/codec?');

/** A codec request from an origin of CODEC_CORS_ORIGINS: a cross-origin call that is meant to be (./crossSite.ts). */
export function codecCorsAllows(req: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  return isCodec(req.url) && typeof origin === 'string' && allowedOrigins.includes(origin);
}

export function registerCodecCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isCodec(req.url)) return;
    reply.header('vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin === 'string' && allowed.has(origin)) allowOrigin(reply, origin);
  });
  for (const url of ['/codec', '/codec/decode', '/codec/encode']) {
    app.options(url, async (req, reply) => {
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || !allowed.has(origin)) {
        throw new HttpError(
          403,
          'origin_not_allowed',
          `the origin ${typeof origin === 'string' ? origin : '(none)'} may not call the codec; list it in CODEC_CORS_ORIGINS`,
        );
      }
      const requested = req.headers['access-control-request-headers'];
      return reply
        .code(204)
        .header('access-control-allow-methods', url === '/codec' ? 'GET' : 'POST')
        .header('access-control-allow-headers', typeof requested === 'string' ? requested : 'authorization, content-type, x-namespace')
        .header('access-control-max-age', String(CORS_MAX_AGE_SECONDS))
        .send();
    });
  }
}
