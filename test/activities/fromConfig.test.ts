/**
 * `createActivitiesFromConfig`: the environment picks real SMTP and Slack, or
 * files under DATA_DIR; the activity logs through the activity context.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivitiesFromConfig } from '../../activities';
import { deliveryHash } from '../../activities/sentLog';
import { parseConfig } from '../../config/env';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { domainRequest } from '../helpers/domainMessages';
import { startFakeSlack, type FakeSlack } from './fixtures/slackServer';
import { startSmtpServer, type TestSmtpServer } from './fixtures/smtpServer';
import { deliveryInput, memoryLogger, tempDir } from './fixtures/support';

const welcome = { ...domainRequest('welcome', 'email'), key: 'welcome', to: [{ name: 'Lee', email: 'lee@acme.example' }] };
const checkin = {
  ...domainRequest('week2_checkin', 'slack'),
  key: 'week2',
  to: { userId: 'U0123', label: 'dana@vendor.example' },
};

describe('createActivitiesFromConfig', () => {
  let smtp: TestSmtpServer;
  let slack: FakeSlack;
  let dirs: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    slack = await startFakeSlack();
    dirs = await tempDir();
  });
  afterAll(async () => {
    await smtp.close();
    await slack.close();
    await dirs.remove();
  });

  test('SMTP_URL and SLACK_BOT_TOKEN: real delivery, keys in DATA_DIR/sent-log, logs through the activity context', async () => {
    const dataDir = path.join(dirs.dir, 'live');
    const config = parseConfig({
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Onboarding <onboarding@vendor.example>',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl.replace(/\/$/, ''), // without the trailing slash WebClient needs
      SLACK_ESCALATION_CHANNEL: 'C0ESCALATE',
    });
    const logger = memoryLogger();
    const env = new MockActivityEnvironment({}, { logger });
    const { deliverNotification } = createActivitiesFromConfig(config, DEFAULT_PLAYBOOK.program);
    const mail = deliveryInput(welcome);
    const dm = deliveryInput(checkin);

    await expect(env.run(deliverNotification, mail)).resolves.toMatchObject({ status: 'sent' });
    await expect(env.run(deliverNotification, dm)).resolves.toMatchObject({ status: 'sent' });
    await expect(env.run(deliverNotification, dm)).resolves.toMatchObject({ status: 'sent', duplicate: true });

    expect(smtp.messages.map((m) => m.envelope)).toEqual([{ from: 'onboarding@vendor.example', to: ['lee@acme.example'] }]);
    expect(slack.posted.map((p) => p.channel)).toEqual(['D-U0123']);
    expect((await readdir(path.join(dataDir, 'sent-log'))).sort()).toEqual(
      [`${deliveryHash(`${mail.workflowId}/welcome`)}.json`, `${deliveryHash(`${dm.workflowId}/week2`)}.json`].sort(),
    );
    expect(logger.lines.map((l) => l.message).filter((m) => m.startsWith('notification'))).toEqual([
      'notification delivered',
      'notification delivered',
      'notification already delivered',
    ]);
  });

  test('neither set: e-mails in DATA_DIR/outbox, Slack messages in DATA_DIR/slack', async () => {
    const dataDir = path.join(dirs.dir, 'local');
    const { deliverNotification } = createActivitiesFromConfig(parseConfig({ DATA_DIR: dataDir }), DEFAULT_PLAYBOOK.program);
    const env = new MockActivityEnvironment({}, { logger: memoryLogger() });
    const mail = deliveryInput(welcome);
    const dm = deliveryInput(checkin);

    await env.run(deliverNotification, mail);
    await env.run(deliverNotification, dm);

    expect(await readdir(path.join(dataDir, 'outbox'))).toEqual([`${deliveryHash(`${mail.workflowId}/welcome`)}.eml`]);
    const [slackFile] = await readdir(path.join(dataDir, 'slack'));
    expect(slackFile).toBe(`${deliveryHash(`${dm.workflowId}/week2`)}.json`);
    const written = JSON.parse(await readFile(path.join(dataDir, 'slack', slackFile!), 'utf8')) as { text: string };
    expect(written.text).toContain('week-2 check-in call due');
  });
});
