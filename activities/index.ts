/**
 * The notification activities. `deliverNotification` renders one
 * NotificationRequest and delivers it exactly once per idempotency key
 * `${workflowId}/${request.key}`:
 *
 *   1. a key already in the sent-log is reported as sent (`duplicate`), nothing goes out;
 *   2. otherwise the message goes out carrying the key (e-mail: a Message-ID derived
 *      from it; Slack: message metadata, and a post an earlier attempt made is found
 *      in the conversation instead of being posted again);
 *   3. as soon as the provider accepted it, the key goes into the sent-log.
 *
 * Transient faults throw for Temporal to retry; permanent ones come back as
 * `{ status: 'failed', error }` (./errors.ts), so the workflow records them and
 * never fails. Logs carry keys, kinds and counts: no bodies, no addresses;
 * ./metrics.ts counts the outcomes.
 */
import path from 'node:path';
import { log as activityLog, metricMeter as activityMetricMeter } from '@temporalio/activity';
import { noopMetricMeter, type Logger, type MetricMeter } from '@temporalio/common';
import type { Config } from '../config/env';
import type { DeliveryInput, DeliveryResult, Message, NotificationRequest, ProgramInfo } from '../workflows/notifications';
import { createEmailSender, outboxTransport, smtpTransport, type MailTransport } from './email';
import { notificationMetrics } from './metrics';
import { fileSentLog, type SentLog } from './sentLog';
import { createSlackSender, fileTransport, slackClient, webApiTransport, type SlackTransport } from './slack';

export interface NotificationDeps {
  /** The program of the worker's playbook, for partners pinned to a playbook from before programs. */
  program: ProgramInfo;
  /** `smtpTransport(url)` (or any nodemailer transporter), or `outboxTransport(dir)`. */
  mailer: MailTransport;
  /** `webApiTransport(slackClient(token))`, or `fileTransport(dir)`. */
  slack: SlackTransport;
  config: { from: string; escalationChannel?: string };
  sentLog: SentLog;
  log: Logger;
  /** The activity context's meter in a worker; none by default. */
  metrics?: MetricMeter;
}

export function createActivities(deps: NotificationDeps) {
  const { sentLog, log } = deps;
  const sendEmail = createEmailSender(deps.mailer, deps.config.from, log);
  const sendSlack = createSlackSender(deps.slack, deps.config.escalationChannel);
  const metrics = notificationMetrics(deps.metrics ?? noopMetricMeter);

  async function deliverNotification(input: DeliveryInput): Promise<DeliveryResult> {
    const { request } = input;
    const key = `${input.workflowId}/${request.key}`;
    const meta = { key, kind: request.kind, channel: request.channel };

    const earlier = await sentLog.find(key);
    if (earlier) {
      log.info('notification already delivered', meta);
      metrics.duplicate(request);
      return { key: request.key, status: 'sent', providerId: earlier.providerId, duplicate: true };
    }

    const message = toMessage(request, deps.program);
    if (!message) {
      log.warn('notification from an earlier version cannot be rendered', meta);
      metrics.outcome(request, 'failed');
      return { key: request.key, status: 'failed', error: 'queued by an earlier version of the system, in a format it no longer renders' };
    }
    const sending = request.channel === 'email' ? sendEmail(request, message, key) : sendSlack(request, message, key);
    const result = await sending.catch((err: unknown) => {
      metrics.outcome(request, 'error');
      throw err;
    });
    if (result.status === 'failed') {
      log.warn('notification failed permanently', { ...meta, error: result.error });
      metrics.outcome(request, 'failed');
      return result;
    }
    if (result.duplicate) metrics.duplicate(request);
    else metrics.outcome(request, 'sent');
    try {
      await sentLog.record({ key, channel: request.channel, providerId: result.providerId, at: new Date().toISOString() });
    } catch (err) {
      // Delivered all the same: completing the activity records it in the workflow history.
      log.error('sent-log write failed: delivered, but a retry after a crash now could deliver again', {
        ...meta,
        error: String(err),
      });
    }
    log.info('notification delivered', { ...meta, duplicate: result.duplicate === true });
    return result;
  }

  return { deliverNotification };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * The message to render: the request with its program. A request scheduled by
 * an earlier version and retried across the upgrade has no partner context:
 * it cannot be rendered faithfully, so it is reported as failed (recorded in the
 * partner's state), never sent half-empty.
 */
function toMessage(request: NotificationRequest, program: ProgramInfo): Message | null {
  const current =
    request.kind === 'weekly_digest'
      ? request.data.topBottleneck === null || typeof request.data.topBottleneck.title === 'string'
      : 'partner' in request && typeof request.partner === 'object';
  if (!current) return null;
  return { ...request, program: request.program ?? program } as Message;
}

/**
 * Real dependencies from the environment: SMTP_URL or DATA_DIR/outbox,
 * SLACK_BOT_TOKEN or DATA_DIR/slack, and the sent-log in DATA_DIR/sent-log.
 */
export function createActivitiesFromConfig(config: Config, program: ProgramInfo, log: Logger = activityLog): Activities {
  const { email, slack, dataDir } = config;
  const mailer = email.smtpUrl ? smtpTransport(email.smtpUrl) : outboxTransport(path.join(dataDir, 'outbox'));
  const slackTransport = slack.token
    ? webApiTransport(slackClient(slack.token, slack.apiUrl))
    : fileTransport(path.join(dataDir, 'slack'));
  return createActivities({
    program,
    mailer,
    slack: slackTransport,
    config: { from: email.from, escalationChannel: slack.escalationChannel },
    sentLog: fileSentLog(path.join(dataDir, 'sent-log')),
    log,
    metrics: activityMetricMeter,
  });
}
