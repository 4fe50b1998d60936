/**
 * The codec endpoint of the Temporal Web UI and CLI (Temporal's remote codec
 * protocol): round trips, the manager role (bearer or HTTP Basic), CORS for the
 * UI's origin, errors that name the payload, and a 501 with encryption off.
 * No Temporal server is needed: the codec never calls it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../client/api';
import { AesGcmPayloadCodec } from '../../client/encryption';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { parseConfig } from '../../config/env';

const KEYS = { manager: 'manager-key-0123456789abcdef', ops: 'ops-key-0123456789abcdef' };
const UI = 'http://127.0.0.1:8233';
const current = { id: 'k-2026-11', key: randomBytes(32) };
const previous = { id: 'k-2026-05', key: randomBytes(32) };
const b64 = (k: { key: Buffer }) => k.key.toString('base64');
const profile = { name: 'Codec Partner GmbH', email: 'lee@codec.example' };

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: JsonPayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

interface Answer {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  json(): unknown;
}

/** A request to a listening app (node:http, so Origin and preflight headers go out as given). */
function send(target: FastifyInstance, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const { port } = target.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) as unknown }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function listening(target: FastifyInstance): Promise<FastifyInstance> {
  await target.listen({ host: '127.0.0.1', port: 0 });
  return target;
}

let client: Client;
let app: FastifyInstance;
beforeAll(async () => {
  client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const config = parseConfig({
    API_KEYS: `manager:${KEYS.manager},ops:${KEYS.ops}`,
    PAYLOAD_ENCRYPTION_KEYS: `${current.id}:${b64(current)},${previous.id}:${b64(previous)}`,
    CODEC_CORS_ORIGINS: UI,
  });
  app = await listening(await createApiServer({ client, config, playbook: DEFAULT_PLAYBOOK, logger: { level: 'silent' } }));
});
afterAll(async () => {
  await app?.close();
  await client?.connection.close();
});

function post(url: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEYS.manager}` }) {
  return send(app, 'POST', url, { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, JSON.stringify(body));
}

describe('codec endpoint', () => {
  it('encodes with the current key and decodes back (and what the previous key sealed)', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload(profile));
    const encoded = await post('/codec/encode', { payloads: [plain] });
    expect(encoded.statusCode).toBe(200);
    const [sealed] = (encoded.json() as { payloads: JsonPayload[] }).payloads;
    expect(Buffer.from(sealed!.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!, 'base64').toString()).toBe(current.id);
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from(JSON.stringify(profile)).toString('base64').slice(0, 12));

    const [byPrevious] = await new AesGcmPayloadCodec([previous]).encode([defaultPayloadConverter.toPayload('rotated')]);
    const decoded = await post('/codec/decode', { payloads: [sealed, toJson(byPrevious!), plain] });
    expect(decoded.statusCode).toBe(200);
    const values = (decoded.json() as { payloads: JsonPayload[] }).payloads.map((p) => defaultPayloadConverter.fromPayload(fromJson(p)));
    expect(values).toEqual([profile, 'rotated', profile]);
  });

  it('names the payload it cannot open, and each malformed field', async () => {
    const [unknownKey] = await new AesGcmPayloadCodec([{ id: 'retired', key: randomBytes(32) }]).encode([defaultPayloadConverter.toPayload(1)]);
    const plain = toJson(defaultPayloadConverter.toPayload('ok'));
    const res = await post('/codec/decode', { payloads: [plain, toJson(unknownKey!)] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ fields: [{ field: 'payloads[1]', message: expect.stringContaining('key "retired"') }] });

    const bad = await post('/codec/decode', { payloads: [{ data: 'not base64!' }], extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ fields: [{ field: 'payloads[0].data', message: 'must be base64' }] });
  });

  it('needs the manager role: bearer, or HTTP Basic with the key as password (what a browser remembers)', async () => {
    const body = { payloads: [] };
    const none = await post('/codec/decode', body, {});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await post('/codec/decode', body, { authorization: `Bearer ${KEYS.ops}` })).statusCode).toBe(403);
    const basic = (user: string, key: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}` });
    expect((await post('/codec/decode', body, basic('dana', KEYS.manager))).statusCode).toBe(200);
    expect((await post('/codec/decode', body, basic('dana', 'wrong-key-0123456789'))).statusCode).toBe(401);
    // Basic is for the codec only: the contract's routes still want a bearer key.
    const state = await send(app, 'GET', '/v1/partners/acme', basic('dana', KEYS.manager));
    expect(state.statusCode).toBe(401);
    expect(state.headers['www-authenticate']).toMatch(/^Bearer/);
    const page = await send(app, 'GET', '/codec', basic('dana', KEYS.manager));
    expect(page.json()).toEqual({ encryption: 'on', decode: '/codec/decode', encode: '/codec/encode', corsOrigins: [UI] });
  });

  it("answers the UI's preflight without a key, and only for its origin", async () => {
    const preflight = (origin: string) =>
      send(app, 'OPTIONS', '/codec/decode', {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      });
    const ok = await preflight(UI);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,x-namespace,authorization',
    });
    const other = await preflight('https://evil.example');
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const fromUi = await post('/codec/decode', { payloads: [] }, { authorization: `Bearer ${KEYS.manager}`, origin: UI });
    expect(fromUi.headers).toMatchObject({ 'access-control-allow-origin': UI, 'access-control-allow-credentials': 'true', vary: 'Origin' });
    // A refusal carries the CORS headers too, so the UI can show why.
    const refused = await post('/codec/decode', { payloads: [] }, { origin: UI });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(UI);
    // The console's cross-site guard lets the UI's origin through to the codec only: another origin is refused.
    const evil = await post('/codec/decode', { payloads: [] }, { authorization: `Bearer ${KEYS.manager}`, origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await send(app, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { security: object[] }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/codec/decode', '/codec/encode', '/codec']));
    expect(doc.paths['/codec/decode']!.post!.security).toContainEqual({ basicAuth: [] });
  });

  it('answers 501 with encryption off', async () => {
    const off = await listening(await createApiServer({ client, playbook: DEFAULT_PLAYBOOK, logger: { level: 'silent' }, config: parseConfig({}) }));
    try {
      const res = await send(off, 'POST', '/codec/decode', { 'content-type': 'application/json' }, '{"payloads":[]}');
      expect(res.statusCode).toBe(501);
      expect(res.json()).toMatchObject({ message: expect.stringContaining('PAYLOAD_ENCRYPTION_KEYS is not set') });
    } finally {
      await off.close();
    }
  });
});
