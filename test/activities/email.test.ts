/**
 * E-mail delivery against a real SMTP server on loopback: what arrives, that a
 * retry never sends twice, and how SMTP faults are classified.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { messageIdFor, outboxTransport, smtpTransport, type MailTransport } from '../../activities/email';
import { recipientId } from '../../activities/recipients';
import { fileSentLog } from '../../activities/sentLog';
import { fileTransport } from '../../activities/slack';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { domainRequest } from '../helpers/domainMessages';
import { freePort, startSmtpServer, type TestSmtpServer } from './fixtures/smtpServer';
import { deliveryInput, memoryLogger, tempDir } from './fixtures/support';

const FROM = 'Partner Onboarding <onboarding@vendor.example>';

/** The welcome e-mail as the domain sends it, to two contacts. */
const welcome = {
  ...domainRequest('welcome', 'email'),
  key: 'welcome',
  to: [
    { name: 'Lee Park', email: 'lee@acme.example' },
    { email: 'tech@acme.example' },
  ],
};

describe('e-mail delivery over SMTP', () => {
  let smtp: TestSmtpServer;
  let dirs: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    dirs = await tempDir();
  });
  afterAll(async () => {
    await smtp.close();
    await dirs.remove();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
    smtp.rcptReplies.clear();
  });

  function activities(opts: { mailer?: MailTransport; sentLogDir?: string } = {}) {
    const log = memoryLogger();
    const { deliverNotification } = createActivities({
      program: DEFAULT_PLAYBOOK.program,
      mailer: opts.mailer ?? smtpTransport(smtp.url),
      slack: fileTransport(path.join(dirs.dir, 'slack')),
      config: { from: FROM },
      sentLog: fileSentLog(opts.sentLogDir ?? path.join(dirs.dir, 'sent-log')),
      log,
    });
    return { deliverNotification, log };
  }

  test('the welcome e-mail reaches every contact, each in a copy of their own with a stable Message-ID, text and HTML', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(welcome);

    const result = await deliverNotification(input);

    // One copy per contact, each keyed by the notification and the recipient's hash (never the address).
    const copyKey = (address: string) => `${input.workflowId}/welcome#${recipientId(address)}`;
    const messageId = messageIdFor(copyKey('lee@acme.example'));
    expect(messageId).toMatch(/^<[0-9a-f]{64}@partner-onboarding>$/);
    expect(result).toEqual({ key: 'welcome', status: 'sent', providerId: messageId });
    expect(smtp.messages.map((m) => m.envelope)).toEqual([
      { from: 'onboarding@vendor.example', to: ['lee@acme.example'] },
      { from: 'onboarding@vendor.example', to: ['tech@acme.example'] },
    ]);
    expect(smtp.messages.map((m) => m.headers['message-id'])).toEqual([messageId, messageIdFor(copyKey('tech@acme.example'))]);
    expect(smtp.messages.map((m) => m.headers.to)).toEqual(['Lee Park <lee@acme.example>', 'tech@acme.example']);
    const [mail] = smtp.messages;
    expect(mail!.headers.subject).toBe('Welcome to the Partner Program, Northwind Systems');
    expect(mail!.text).toContain('Over the next 90 days');
    expect(mail!.text).toContain('Dana Ruiz is your partner manager');
    // The contract is signed Mon 7 Dec 2026 09:00 UTC; the partner is in Europe/Berlin.
    expect(mail!.text).toContain('1. Kickoff call with the partner manager, by Wed, 9 Dec 2026');
    expect(mail!.text).toContain('Open the partner portal: https://partners.example.com');
    expect(mail!.html).toContain('<ol><li>Kickoff call with the partner manager, by Wed, 9 Dec 2026</li>');
    expect(mail!.html).toContain('<a href="https://partners.example.com">Open the partner portal</a>');
  });

  test('the Message-ID is the same for every attempt and different for every key', () => {
    expect(messageIdFor('onboarding-a/welcome')).toBe(messageIdFor('onboarding-a/welcome'));
    expect(messageIdFor('onboarding-a/welcome')).not.toBe(messageIdFor('onboarding-b/welcome'));
  });

  test('reminders and the registration gate name their milestones and dates; HTML is escaped', async () => {
    const { deliverNotification } = activities();
    const reminder = domainRequest('milestone_reminder', 'email');
    const gated = domainRequest('registration_gated', 'email');
    await deliverNotification(deliveryInput(reminder));
    await deliverNotification(deliveryInput({ ...gated, partner: { ...gated.partner, name: 'Fish & <Chips> Ltd' } }));

    const remindMail = smtp.messages.find((m) => m.headers.subject!.startsWith('Reminder:'));
    const gatedMail = smtp.messages.find((m) => m.headers.subject!.startsWith('Finish'));
    expect(remindMail!.headers.subject).toBe(`Reminder: ${reminder.data.milestone.title} is due Mon, 21 Dec 2026`);
    expect(remindMail!.text).toContain(`A quick reminder: ${reminder.data.milestone.title} is due on Mon, 21 Dec 2026.`);
    expect(gatedMail!.headers.subject).toBe('Finish Business 101 training to register Globex (opp-1)');
    expect(gatedMail!.text).toContain('1. Complete Business 101 training, due Mon, 21 Dec 2026');
    expect(gatedMail!.text).toContain('Fish & <Chips> Ltd is onboarding');
    expect(gatedMail!.html).toContain('Fish &#38; &#60;Chips&#62; Ltd is onboarding');
    expect(gatedMail!.html).not.toContain('<Chips>');
  });

  test('a retried activity does not send twice', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(welcome);

    const first = await deliverNotification(input);
    const second = await deliverNotification(input);

    expect(smtp.messages).toHaveLength(2); // one copy per contact, once
    expect(second).toEqual({ ...first, duplicate: true });
  });

  test('an attempt that died between two copies: the retry sends only the copy that did not go out', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput(welcome);
    smtp.rcptReplies.set('tech@acme.example', 451); // the second copy fails transiently: the attempt throws

    await expect(deliverNotification(input)).rejects.toMatchObject({ type: 'SmtpTransient' });
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['lee@acme.example']]);
    smtp.rcptReplies.clear();

    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['lee@acme.example'], ['tech@acme.example']]);
  });

  test('a crash before the sent-log write resends with the same Message-ID (SMTP cannot do better)', async () => {
    const input = deliveryInput(welcome);
    await activities({ sentLogDir: path.join(dirs.dir, 'lost-log-1') }).deliverNotification(input);
    await activities({ sentLogDir: path.join(dirs.dir, 'lost-log-2') }).deliverNotification(input);

    expect(smtp.messages).toHaveLength(4);
    const ids = smtp.messages.map((m) => m.headers['message-id']);
    expect(ids.slice(2)).toEqual(ids.slice(0, 2));
  });

  test('SMTP down, then back: a retryable failure first, then exactly one message', async () => {
    const port = await freePort();
    const { deliverNotification } = activities({ mailer: smtpTransport(`smtp://127.0.0.1:${port}`) });
    const input = deliveryInput(welcome);

    const down = deliverNotification(input);
    await expect(down).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(down).rejects.toMatchObject({ type: 'SmtpUnavailable', nonRetryable: false });

    const revived = await startSmtpServer(port);
    try {
      await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
      await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent', duplicate: true });
      expect(revived.messages).toHaveLength(2); // one copy per contact
    } finally {
      await revived.close();
    }
  });

  test('a 4xx reply is retried; the retry after it clears sends once', async () => {
    const { deliverNotification } = activities();
    const input = deliveryInput({ ...welcome, to: [{ email: 'busy@acme.example' }] });
    smtp.rcptReplies.set('busy@acme.example', 451);

    await expect(deliverNotification(input)).rejects.toMatchObject({ type: 'SmtpTransient', nonRetryable: false });
    smtp.rcptReplies.clear();
    await expect(deliverNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(smtp.messages).toHaveLength(1);
  });

  test('an address the server rejects (550) is a failed result, not an error, and names no address', async () => {
    const { deliverNotification, log } = activities();
    smtp.rcptReplies.set('nobody@acme.example', 550);

    const result = await deliverNotification(deliveryInput({ ...welcome, to: [{ email: 'nobody@acme.example' }] }));

    expect(result).toEqual({ key: 'welcome', status: 'failed', error: expect.stringMatching(/^invalid address: 550/) });
    expect(result.error).not.toContain('nobody@');
    expect(smtp.messages).toHaveLength(0);
    expect(JSON.stringify(log.lines)).not.toContain('nobody@');
  });

  test('one rejected recipient among several: the others get it, and it counts as sent', async () => {
    const { deliverNotification, log } = activities();
    smtp.rcptReplies.set('tech@acme.example', 550);

    const result = await deliverNotification(deliveryInput(welcome));

    expect(result).toMatchObject({ status: 'sent', error: '1 of 2 recipients: invalid address: 550 <address>: mailbox unavailable' });
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['lee@acme.example']]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'notification failed permanently', meta: expect.objectContaining({ kind: 'welcome' }) }),
    );
    expect(JSON.stringify(log.lines)).not.toContain('tech@');
  });

  test('no recipients is a failed result', async () => {
    const result = await activities().deliverNotification(deliveryInput({ ...welcome, to: [] }));
    expect(result).toEqual({ key: 'welcome', status: 'failed', error: 'no e-mail recipients' });
  });

  test('logs carry keys and kinds, never addresses or bodies', async () => {
    const { deliverNotification, log } = activities();
    const input = deliveryInput(welcome);
    await deliverNotification(input);
    await deliverNotification(input);

    const logged = JSON.stringify(log.lines);
    expect(logged).toContain(`${input.workflowId}/welcome`);
    expect(logged).not.toMatch(/@acme\.example|Kickoff call|Dana Ruiz/);
  });

  test('without SMTP the outbox gets one .eml per key; a retry overwrites it', async () => {
    const outbox = path.join(dirs.dir, 'outbox');
    const input = deliveryInput({ ...welcome, to: [welcome.to[0]!] });
    // Two fresh sent-logs: the second call really renders and writes again.
    await activities({ mailer: outboxTransport(outbox), sentLogDir: path.join(dirs.dir, 'outbox-log-1') }).deliverNotification(input);
    await activities({ mailer: outboxTransport(outbox), sentLogDir: path.join(dirs.dir, 'outbox-log-2') }).deliverNotification(input);

    const hash = /^<([0-9a-f]{64})@/.exec(messageIdFor(`${input.workflowId}/welcome`))![1];
    expect(await readdir(outbox)).toEqual([`${hash}.eml`]);
    const eml = (await readFile(path.join(outbox, `${hash}.eml`), 'utf8')).replace(/\r\n[ \t]+/g, ' ');
    expect(eml).toContain('Subject: Welcome to the Partner Program, Northwind Systems');
    expect(eml).toContain(`Message-ID: <${hash}@partner-onboarding>`);
    expect(smtp.messages).toHaveLength(0);
  });
});
