/**
 * TLS to Temporal against the cluster's own server (built from the Go module,
 * on PostgreSQL), its frontend serving a certificate of a CA this test creates
 * with openssl. The connection settings come from the environment exactly as a
 * worker or the API reads them (config/env.ts, client/connection.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connectClient, connectNative } from '../../client/connection';
import { parseConfig } from '../../config/env';
import { LocalCluster } from '../../workers/cluster';
import { freeLowPort, freePort } from '../../workers/cluster/process';
import { clusterTempDir, describeWith } from './support';

/** A CA, and a server certificate it signs for localhost and 127.0.0.1. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  const file = (f: string) => path.join(dir, `${name}-${f}`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', `/CN=${name} test CA`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(
    file('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'));
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

/** The error a connection attempt fails with (and a test failure when it connects). */
async function failure(attempt: Promise<{ close?: () => Promise<void>; connection?: { close(): Promise<void> } }>): Promise<Error> {
  const connected = await attempt.catch((err: unknown) => err as Error);
  if (connected instanceof Error) return connected;
  await (connected.connection ?? connected).close?.();
  throw new Error('connected, but should have failed');
}

describeWith({ temporal: true }, 'TLS to a Temporal cluster with its own CA', () => {
  let temp: ReturnType<typeof clusterTempDir>;
  let cluster: LocalCluster;
  let address: string;
  let right: ReturnType<typeof makeCa>;
  let wrong: ReturnType<typeof makeCa>;

  beforeAll(async () => {
    temp = clusterTempDir('onboarding-tls-');
    right = makeCa(temp.dir, 'right');
    wrong = makeCa(temp.dir, 'wrong');
    cluster = await LocalCluster.start({
      dir: path.join(temp.dir, 'cluster'),
      frontendPort: await freeLowPort(),
      http: { host: '127.0.0.1', port: await freePort() },
      namespace: 'tls-test',
      taskQueue: 'partner-onboarding',
      apps: false,
      tls: { certFile: right.cert, keyFile: right.key, caFile: right.ca, serverName: 'localhost' },
    });
    address = cluster.temporal.address;
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    temp?.remove();
  });

  const config = (env: NodeJS.ProcessEnv) => parseConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'tls-test', ...env });

  test.each([
    ['our names', { TEMPORAL_TLS_CA: 'RIGHT', TEMPORAL_TLS_SERVER_NAME: 'localhost' }],
    ["Temporal's standard names", { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'RIGHT', TEMPORAL_TLS_SERVER_NAME: 'localhost' }],
    ['the CA inline, no server name (the certificate names 127.0.0.1 too)', { TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'RIGHT_DATA' }],
  ])('the right CA connects the client and the worker connection (%s)', async (_, env) => {
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === 'RIGHT' ? right.ca : v === 'RIGHT_DATA' ? fs.readFileSync(right.ca, 'utf8') : v]),
    );
    const client = await connectClient(config(resolved));
    try {
      const described = await client.workflowService.describeNamespace({ namespace: 'tls-test' });
      expect(described.namespaceInfo?.name).toBe('tls-test');
    } finally {
      await client.connection.close();
    }
    const native = await connectNative(config(resolved));
    await native.close();
  });

  test('a wrong CA fails with one line that names the problem and the variable', async () => {
    const err = await failure(connectClient(config({ TEMPORAL_TLS_CA: wrong.ca, TEMPORAL_TLS_SERVER_NAME: 'localhost' })));
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain(`Temporal at ${address}: TLS: the server's certificate is not signed by the CA in TEMPORAL_TLS_CA (${wrong.ca})`);

    const nativeErr = await failure(connectNative(config({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: wrong.ca })));
    expect(nativeErr.message).not.toContain('\n');
    expect(nativeErr.message).toContain("TLS: the server's certificate is not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH");
  });

  test('a server name the certificate does not carry fails with one line naming TEMPORAL_TLS_SERVER_NAME', async () => {
    for (const attempt of [connectClient, connectNative]) {
      const err = await failure(attempt(config({ TEMPORAL_TLS_CA: right.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.example' })));
      expect(err.message).not.toContain('\n');
      expect(err.message).toContain("TLS: the server's certificate is not valid for the name in TEMPORAL_TLS_SERVER_NAME (temporal.example)");
    }
  });

  test('no TLS settings against this server: one line saying it requires TLS', async () => {
    const err = await failure(connectClient(config({})));
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain(`Temporal at ${address}: the server requires TLS (set TEMPORAL_TLS_CA to its CA, or TEMPORAL_TLS=true)`);
  });

  test('`npm run worker` with the wrong CA exits 1 with that one error line in its JSON log', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'workers', 'worker.ts')], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'tls-test', TEMPORAL_TLS_CA: wrong.ca, DATA_DIR: path.join(temp.dir, 'w') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    // Every line is JSON (one log format, issue 11); the errors among them are this one line.
    const records = output.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; component?: string });
    expect(records.filter((r) => r.level === 'error')).toEqual([
      expect.objectContaining({
        component: 'worker',
        msg: expect.stringMatching(/^worker failed: Temporal at 127\.0\.0\.1:\d+: TLS: the server's certificate is not signed by the CA in TEMPORAL_TLS_CA/),
      }),
    ]);
  }, 60_000);
});
