/**
 * The shared sent-log on a real PostgreSQL (Debian's, started by the test):
 * two workers' sent-logs on one database, claims that expire, and workers that
 * die (SIGKILL, a process of their own) between the claim and the send, and
 * between the send and the confirmation.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { smtpTransport } from '../../activities/email';
import { pgSentLog } from '../../activities/pgSentLog';
import { fileTransport } from '../../activities/slack';
import type { SentLog } from '../../activities/sentLog';
import type { NotificationRequest } from '../../workflows/notifications';
import type { Postgres } from '../../workers/cluster/postgres';
import { startSmtpServer, type TestSmtpServer } from '../activities/fixtures/smtpServer';
import { deliveryInput, memoryLogger } from '../activities/fixtures/support';
import { clusterTempDir, cutDuringFirstUse, describeWith, startTestPostgres } from './support';
import { domainRequest } from '../helpers/domainMessages';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';

const welcome: NotificationRequest = { ...domainRequest('welcome', 'email'), key: 'welcome', to: [{ email: 'lee@acme.example', name: 'Lee' }] };

const ROOT = path.resolve(__dirname, '..', '..');

describeWith({}, 'the PostgreSQL sent-log shared by workers', () => {
  let postgres: Postgres;
  let url: string;
  let temp: ReturnType<typeof clusterTempDir>;
  const logs: SentLog[] = [];
  /** A worker's sent-log: its own connection pool, as a worker on another host has. */
  const workerLog = (namespace = 'default', leaseMs = 60_000, owner?: string) => {
    const log = pgSentLog({ url, namespace, leaseMs, owner });
    logs.push(log);
    return log;
  };

  beforeAll(async () => {
    temp = clusterTempDir('onboarding-sentlog-');
    postgres = await startTestPostgres(temp.dir);
    url = postgres.url('onboarding');
  }, 120_000);

  afterAll(async () => {
    for (const log of logs) await log.close();
    await postgres?.stop();
    temp?.remove();
  });

  test('a key claimed by one worker is busy for the other, and sent for both once confirmed', async () => {
    const [a, b] = [workerLog(), workerLog()];
    const claim = await a.claim('wf-1/welcome', 'email');
    expect(claim.status).toBe('claimed');
    expect(await b.claim('wf-1/welcome', 'email')).toMatchObject({ status: 'busy' });
    await a.confirm((claim as { token: string }).token, { key: 'wf-1/welcome', channel: 'email', providerId: '<m1@x>', at: new Date().toISOString() });
    for (const log of [a, b]) {
      expect(await log.claim('wf-1/welcome', 'email')).toMatchObject({ status: 'sent', record: { key: 'wf-1/welcome', channel: 'email', providerId: '<m1@x>' } });
    }
  });

  test('of many simultaneous claims of one key across two workers, exactly one wins', async () => {
    const [a, b] = [workerLog(), workerLog()];
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim('wf-race/welcome', 'email')));
    expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.status === 'busy')).toHaveLength(19);
  });

  test('a released claim (nothing went out) can be claimed again at once', async () => {
    const [a, b] = [workerLog(), workerLog()];
    const claim = await a.claim('wf-2/welcome', 'email');
    await a.release('wf-2/welcome', (claim as { token: string }).token);
    expect((await b.claim('wf-2/welcome', 'email')).status).toBe('claimed');
  });

  test("a dead worker's claim expires and another worker takes it over", async () => {
    const dead = workerLog('default', 500);
    const alive = workerLog('default', 500);
    expect((await dead.claim('wf-3/welcome', 'email')).status).toBe('claimed');
    expect((await alive.claim('wf-3/welcome', 'email')).status).toBe('busy');
    await new Promise((r) => setTimeout(r, 700));
    expect((await alive.claim('wf-3/welcome', 'email')).status).toBe('claimed');
  });

  test('namespaces sharing the database do not see each other', async () => {
    const staging = workerLog('staging');
    const production = workerLog('production');
    const claim = await staging.claim('onboarding-acme/welcome', 'email');
    await staging.confirm((claim as { token: string }).token, { key: 'onboarding-acme/welcome', channel: 'email', at: new Date().toISOString() });
    expect((await production.claim('onboarding-acme/welcome', 'email')).status).toBe('claimed');
  });

  test('prune forgets entries past the retention and keeps the recent ones', async () => {
    const log = workerLog('prune');
    for (const key of ['old/a', 'old/b', 'new/c']) {
      const claim = await log.claim(key, 'slack');
      await log.confirm((claim as { token: string }).token, { key, channel: 'slack', at: new Date().toISOString() });
    }
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`UPDATE onboarding_sent_log SET updated_at = now() - interval '8 days' WHERE namespace = 'prune' AND key LIKE 'old/%'`);
    await db.end();
    expect(await log.prune(new Date(Date.now() - 7 * 24 * 3_600_000))).toBe(2);
    expect((await log.claim('old/a', 'slack')).status).toBe('claimed');
    expect((await log.claim('new/c', 'slack')).status).toBe('sent');
  });

  test('a connection cut during its first use (the schema check) fails that call, not the worker process', async () => {
    const { cut, code, out } = await cutDuringFirstUse(url, 'sent-log');
    expect(cut).toBe(1);
    expect(out).toMatch(/^attempt 1: failed: terminating connection due to administrator command$/m);
    expect(out).toMatch(/^attempt \d+: claimed$/m);
    expect({ code, out }).toEqual({ code: 0, out: expect.any(String) });
  }, 90_000);

  describe('delivery by two workers with a crash in between', () => {
    let smtp: TestSmtpServer;
    beforeAll(async () => {
      smtp = await startSmtpServer();
    });
    afterAll(async () => {
      await smtp.close();
    });
    beforeEach(() => {
      smtp.messages.length = 0;
    });

    function worker(leaseMs: number, mailUrl = smtp.url) {
      const log = memoryLogger();
      const activities = createActivities({
        program: DEFAULT_PLAYBOOK.program,
        mailer: smtpTransport(mailUrl),
        slack: fileTransport('/nonexistent'),
        config: { from: 'onboarding@vendor.example' },
        sentLog: workerLog('crash', leaseMs),
        log,
      });
      return { ...activities, log };
    }

    /** Worker A in a process of its own, delivering `input` through `mailUrl`. */
    function workerProcess(input: ReturnType<typeof deliveryInput>, mailUrl: string, leaseMs: number) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'deliverOnce.ts')], {
        cwd: ROOT,
        env: { ...process.env, SENT_LOG_DATABASE_URL: url, NAMESPACE: 'crash', LEASE_MS: String(leaseMs), SMTP_URL: mailUrl, DELIVERY: JSON.stringify(input) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, exited };
    }

    async function claimRow(key: string): Promise<{ state: string; owner: string } | undefined> {
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const r = await db.query<{ state: string; owner: string }>(`SELECT state, owner FROM onboarding_sent_log WHERE namespace = 'crash' AND key = $1`, [key]);
        return r.rows[0];
      } finally {
        await db.end();
      }
    }

    async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    test('killed after its claim and before the send: the other worker waits out the claim, then sends once', async () => {
      // A mail server that accepts the connection and never greets: worker A hangs inside the send.
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const input = deliveryInput(welcome);
      const key = `${input.workflowId}/welcome`;
      const leaseMs = 3_000;
      try {
        const a = workerProcess(input, `smtp://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, leaseMs);
        const row = await until('worker A to claim', () => claimRow(key));
        expect(row.state).toBe('claimed');
        expect(row.owner).toBe(`child-${a.child.pid}`);
        a.child.kill('SIGKILL');
        await a.exited;

        // Temporal retries the activity on worker B: first the claim is still live.
        const b = worker(leaseMs);
        const busy = await b.deliverNotification(input).catch((err: unknown) => err);
        expect(busy).toBeInstanceOf(ApplicationFailure);
        expect((busy as ApplicationFailure).type).toBe('NotificationClaimed');
        expect((busy as ApplicationFailure).nonRetryable).toBe(false);
        expect(smtp.messages).toHaveLength(0);

        // A later retry, after the lease: B takes the claim over and sends.
        await new Promise((r) => setTimeout(r, leaseMs + 200));
        const sent = await b.deliverNotification(input);
        expect(sent).toMatchObject({ key: 'welcome', status: 'sent' });
        expect(sent.duplicate).toBeUndefined();
        // And any retry after that, on either worker, sends nothing.
        expect(await worker(leaseMs).deliverNotification(input)).toMatchObject({ status: 'sent', duplicate: true });
        expect(smtp.messages).toHaveLength(1);
        expect(await claimRow(key)).toMatchObject({ state: 'sent' });
      } finally {
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    test('killed after the mail server took the message and before the confirmation: the takeover resends it with the same Message-ID', async () => {
      // The documented window no store can close: the mail server has the message, the sent-log does not.
      // This server kills worker A once it has the whole message, before it answers 250.
      const received: { messageId: string }[] = [];
      let victim: (() => void) | undefined;
      const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, callback) {
          let raw = '';
          stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
          stream.on('end', () => {
            received.push({ messageId: /^message-id:\s*(.*)$/im.exec(raw)?.[1]?.trim() ?? '' });
            victim?.();
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const mailUrl = `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
      try {
        const input = deliveryInput(welcome);
        const key = `${input.workflowId}/welcome`;
        const leaseMs = 2_000;
        const a = workerProcess(input, mailUrl, leaseMs);
        victim = () => a.child.kill('SIGKILL');
        await a.exited;
        victim = undefined;
        expect(received).toHaveLength(1);
        expect(await claimRow(key)).toMatchObject({ state: 'claimed' });

        // Before the lease ends the retry waits; after it, the takeover sends again.
        await expect(worker(leaseMs, mailUrl).deliverNotification(input)).rejects.toMatchObject({ type: 'NotificationClaimed' });
        await new Promise((r) => setTimeout(r, leaseMs + 200));
        expect(await worker(leaseMs, mailUrl).deliverNotification(input)).toMatchObject({ status: 'sent' });
        expect(received).toHaveLength(2);
        expect(received[1]!.messageId).toBe(received[0]!.messageId);
        expect(received[0]!.messageId).toMatch(/^<[0-9a-f]{64}@partner-onboarding>$/);
        expect(await claimRow(key)).toMatchObject({ state: 'sent' });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});
