/**
 * Who may call what: bearer keys with roles, signed webhooks with a replay
 * window, the open loopback-only mode, and logs that keep secrets and e-mail
 * addresses out.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createApiServer, signBody } from '../../client/api';
import { parseConfig } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { uniq } from '../helpers/temporal';
import { KEYS, WEBHOOK_SECRET, call, profile, startHarness, type Api, type Harness } from './harness';

let h: Harness;
let api: Api;
let partnerId: string;
beforeAll(async () => {
  h = await startHarness();
  api = h.api;
  const p = profile();
  expect((await call(api, 'POST', '/v1/partners', { key: KEYS.ops, body: p })).status).toBe(201);
  partnerId = p.partnerId;
});
afterAll(() => h?.close());

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** POSTs a raw body to the events route with webhook headers. */
function signed(body: string, headers: { timestamp?: number | string; signature?: string; secret?: string } = {}) {
  const timestamp = String(headers.timestamp ?? nowSeconds());
  return call(api, 'POST', `/v1/partners/${partnerId}/events`, {
    raw: body,
    headers: {
      'x-onboarding-timestamp': timestamp,
      'x-onboarding-signature': headers.signature ?? signBody(headers.secret ?? WEBHOOK_SECRET, timestamp, body),
    },
  });
}

const event = () => JSON.stringify({ eventId: uniq('evt'), type: 'kickoff_completed' });

describe('bearer keys', () => {
  it('answers 401 without a key, with a wrong key or a malformed header', async () => {
    const missing = await call(api, 'GET', `/v1/partners/${partnerId}`);
    expect(missing).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await call(api, 'GET', `/v1/partners/${partnerId}`, { key: 'not-a-configured-key-000' })).status).toBe(401);
    expect((await call(api, 'GET', `/v1/partners/${partnerId}`, { key: KEYS.manager.slice(0, -1) })).status).toBe(401);
    const basic = await call(api, 'GET', `/v1/partners/${partnerId}`, { headers: { authorization: `Basic ${KEYS.manager}` } });
    expect(basic.status).toBe(401);
  });

  it('answers 403 for a key without the route role', async () => {
    expect(await call(api, 'POST', '/v1/partners', { key: KEYS.manager, body: profile() })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: expect.stringContaining('ops') },
    });
    expect((await call(api, 'POST', `/v1/partners/${partnerId}/events`, { key: KEYS.ops, raw: event() })).status).toBe(403);
    expect((await call(api, 'GET', `/v1/partners/${partnerId}`, { key: KEYS.system })).status).toBe(403);
    expect((await call(api, 'GET', '/v1/partners', { key: KEYS.ops })).status).toBe(403);
    expect((await call(api, 'GET', '/v1/reports/onboarding', { key: KEYS.system })).status).toBe(403);
    expect((await call(api, 'POST', `/v1/partners/${partnerId}/decisions`, { key: KEYS.system, body: { decision: 'advance' } })).status).toBe(403);
  });

  it('lets each role do its part: ops start and decide, systems send events, managers read and decide', async () => {
    expect((await call(api, 'POST', '/v1/partners', { key: KEYS.ops, body: profile() })).status).toBe(201);
    expect((await call(api, 'POST', `/v1/partners/${partnerId}/events`, { key: KEYS.system, raw: event() })).status).toBe(202);
    for (const urlPath of [`/v1/partners/${partnerId}`, '/v1/partners', `/v1/partners/${partnerId}/timeline`]) {
      expect((await call(api, 'GET', urlPath, { key: KEYS.manager })).status).toBe(200);
    }
    expect((await call(api, 'GET', '/v1/reports/onboarding', { key: KEYS.manager })).status).toBe(501);
    for (const key of [KEYS.ops, KEYS.manager]) {
      // Authorized, then refused by the workflow: no checkpoint awaits a decision on day 0.
      const res = await call(api, 'POST', `/v1/partners/${partnerId}/decisions`, { key, body: { decision: 'extend', days: 7 } });
      expect(res).toMatchObject({ status: 409, body: { error: 'refused' } });
    }
  });

  it('checks credentials before the body: an unauthenticated malformed body is a 401', async () => {
    expect((await call(api, 'POST', '/v1/partners', { raw: '{not json' })).status).toBe(401);
  });

  it('needs no key for health and the OpenAPI document', async () => {
    expect((await call(api, 'GET', '/healthz')).status).toBe(200);
    expect((await call(api, 'GET', '/openapi.json')).status).toBe(200);
  });
});

describe('signed webhooks', () => {
  it('accept a valid signature as the system role', async () => {
    const res = await signed(event());
    expect(res).toMatchObject({ status: 202, body: { accepted: 1 } });
  });

  it('refuse a bad signature, another secret, a tampered body, a stale or future timestamp', async () => {
    const body = event();
    expect(await signed(body, { signature: 'sha256=00' })).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect((await signed(body, { secret: 'another-secret-0123456789' })).status).toBe(401);
    const timestamp = nowSeconds();
    const tampered = await signed(event(), { timestamp, signature: signBody(WEBHOOK_SECRET, timestamp, body) });
    expect(tampered.status).toBe(401);
    const stale = await signed(body, { timestamp: nowSeconds() - 301 });
    expect(stale).toMatchObject({ status: 401, body: { message: expect.stringContaining('300-second') } });
    expect((await signed(body, { timestamp: nowSeconds() + 301 })).status).toBe(401);
    expect((await signed(body, { timestamp: 'yesterday' })).status).toBe(401);
  });

  it('count only on the events route', async () => {
    const body = JSON.stringify(profile());
    const timestamp = nowSeconds();
    const res = await call(api, 'POST', '/v1/partners', {
      raw: body,
      headers: { 'x-onboarding-timestamp': String(timestamp), 'x-onboarding-signature': signBody(WEBHOOK_SECRET, timestamp, body) },
    });
    expect(res.status).toBe(401);
  });

  it('refuse signatures when no WEBHOOK_SECRET is set', async () => {
    const unsigned = await h.startApi({ API_KEYS: `system:${KEYS.system}` });
    const body = event();
    const timestamp = nowSeconds();
    const res = await call(unsigned, 'POST', `/v1/partners/${partnerId}/events`, {
      raw: body,
      headers: { 'x-onboarding-timestamp': String(timestamp), 'x-onboarding-signature': signBody(WEBHOOK_SECRET, timestamp, body) },
    });
    expect(res).toMatchObject({ status: 401, body: { message: expect.stringContaining('WEBHOOK_SECRET') } });
  });
});

describe('open mode (no API keys)', () => {
  it('serves every route without a key on loopback and warns at start', async () => {
    const lines: string[] = [];
    const open = await h.startApi({}, { logger: { level: 'info', stream: { write: (line) => void lines.push(line) } } });
    expect(lines.map((l) => JSON.parse(l) as { level: string; msg: string })).toContainEqual(
      expect.objectContaining({ level: 'warn', component: 'api', msg: expect.stringContaining('open') }),
    );
    expect((await call(open, 'POST', '/v1/partners', { body: profile() })).status).toBe(201);
    expect((await call(open, 'GET', `/v1/partners/${partnerId}`)).status).toBe(200);
  });

  it('refuses to serve an open API beyond loopback', async () => {
    const build = (vars: Record<string, string>) =>
      createApiServer({ client: h.env.client, config: parseConfig(vars), playbook: DEFAULT_PLAYBOOK, logger: { level: 'silent' } });
    await expect(build({ HTTP_HOST: '0.0.0.0' })).rejects.toThrow(/refusing to listen on HTTP_HOST=0.0.0.0 without API_KEYS/);
    const withKeys = await build({ HTTP_HOST: '0.0.0.0', API_KEYS: `ops:${KEYS.ops}` });
    await withKeys.close();
  });
});

describe('logs', () => {
  it('are JSON with request ids, and carry no keys, signatures, bodies or e-mail addresses', async () => {
    const lines: string[] = [];
    const logged = await h.startApi(
      { API_KEYS: `ops:${KEYS.ops},system:${KEYS.system},manager:${KEYS.manager}`, WEBHOOK_SECRET },
      { logger: { level: 'info', stream: { write: (line) => void lines.push(line) } } },
    );
    const p = profile({ name: 'Secretive Partner Ltd' });
    await call(logged, 'POST', '/v1/partners', { key: KEYS.ops, body: p, headers: { 'x-request-id': 'log-check-1' } });
    await call(logged, 'GET', `/v1/partners?manager=${encodeURIComponent('dana@vendor.example')}`, { key: KEYS.manager });
    await call(logged, 'GET', '/v1/partners', { key: 'wrong-key-0123456789' });
    const body = event();
    const timestamp = nowSeconds();
    const signature = signBody(WEBHOOK_SECRET, timestamp, body);
    await call(logged, 'POST', `/v1/partners/${p.partnerId}/events`, {
      raw: body,
      headers: { 'x-onboarding-timestamp': String(timestamp), 'x-onboarding-signature': signature },
    });

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toContainEqual(expect.objectContaining({ requestId: 'log-check-1', msg: 'request completed' }));
    // One line per request at info, when it completes, saying what it was and how it ended.
    expect(records.filter((r) => r.requestId === 'log-check-1')).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request completed', req: { method: 'POST', path: '/v1/partners' }, res: { statusCode: 201 }, responseTime: expect.any(Number) }),
    ]);
    expect(records.filter((r) => r.msg === 'incoming request')).toEqual([]);
    const text = lines.join('\n');
    for (const secret of [...Object.values(KEYS), signature, 'Bearer', 'Secretive', 'kickoff_completed']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/@|%40|vendor\.example/);
  });
});

describe('npm run api', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(path.resolve(__dirname, '../../node_modules/.bin/tsx'), ['client/api/server.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, API_KEYS: '', TEMPORAL_ADDRESS: '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('stops with one line when TEMPORAL_ADDRESS is missing, or when an open API would leave loopback', () => {
    const noAddress = run({});
    expect(noAddress.status).toBe(2);
    expect(noAddress.stderr.trim().split('\n')).toEqual([expect.stringContaining('TEMPORAL_ADDRESS')]);

    const exposed = run({ TEMPORAL_ADDRESS: h.env.address, HTTP_HOST: '0.0.0.0' });
    expect(exposed.status).toBe(2);
    expect(exposed.stderr.trim().split('\n')).toEqual([expect.stringContaining('API_KEYS')]);
  });
});
