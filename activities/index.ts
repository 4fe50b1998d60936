/**
 * The notification activities. `deliverNotification` renders one
 * NotificationRequest and delivers it exactly once per idempotency key
 * `${workflowId}/${request.key}`:
 *
 *   1. it claims the key in the sent-log (./sentLog.ts): a key already sent is reported
 *      as sent (`duplicate`) and nothing goes out; a key another attempt holds a live
 *      claim on throws, and Temporal retries later;
 *   2. the message goes out carrying the key (e-mail: a Message-ID derived from it;
 *      Slack: message metadata, and a post an earlier attempt made is found in the
 *      conversation instead of being posted again);
 *   3. as soon as the provider accepted it, the claim is confirmed as sent; when
 *      nothing went out, the claim is released.
 *
 * Transient faults throw for Temporal to retry; permanent ones come back as
 * `{ status: 'failed', error }` (./errors.ts), so the workflow records them and
 * never fails. Logs carry keys, kinds and counts: no bodies, no addresses;
 * ./metrics.ts counts the outcomes.
 */
import path from 'node:path';
import { log as activityLog, metricMeter as activityMetricMeter } from '@temporalio/activity';
import { ApplicationFailure, noopMetricMeter, type Logger, type MetricMeter } from '@temporalio/common';
import type { Config } from '../config/env';
import type { DeliveryInput, DeliveryResult, Message, NotificationRequest, ProgramInfo } from '../workflows/notifications';
import { createEmailSender, outboxTransport, smtpTransport, type MailTransport } from './email';
import { notificationMetrics } from './metrics';
import { pgSentLog } from './pgSentLog';
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

    const claim = await sentLog.claim(key, request.channel);
    if (claim.status === 'sent') {
      log.info('notification already delivered', meta);
      metrics.duplicate(request);
      return { key: request.key, status: 'sent', providerId: claim.record.providerId, duplicate: true };
    }
    if (claim.status === 'busy') {
      // Another attempt (on this or another worker) is sending it, or died doing so and
      // its claim has not expired yet. Temporal retries this one with backoff.
      metrics.outcome(request, 'error');
      throw ApplicationFailure.retryable(`notification ${key} is claimed by another attempt until ${claim.until}`, 'NotificationClaimed');
    }

    const message = toMessage(request, deps.program);
    if (!message) {
      log.warn('notification from an earlier version cannot be rendered', meta);
      metrics.outcome(request, 'failed');
      await releaseQuietly(key, claim.token);
      return { key: request.key, status: 'failed', error: 'queued by an earlier version of the system, in a format it no longer renders' };
    }
    const sending = request.channel === 'email' ? sendEmail(request, message, key) : sendSlack(request, message, key);
    const result = await sending.catch(async (err: unknown) => {
      metrics.outcome(request, 'error');
      await releaseQuietly(key, claim.token);
      throw err;
    });
    if (result.status === 'failed') {
      log.warn('notification failed permanently', { ...meta, error: result.error });
      metrics.outcome(request, 'failed');
      await releaseQuietly(key, claim.token);
      return result;
    }
    if (result.duplicate) metrics.duplicate(request);
    else metrics.outcome(request, 'sent');
    try {
      await sentLog.confirm(claim.token, { key, channel: request.channel, providerId: result.providerId, at: new Date().toISOString() });
    } catch (err) {
      // Delivered all the same: completing the activity records it in the workflow
      // history, so the workflow never asks again. Throwing would make Temporal resend.
      log.error('sent-log confirmation failed: delivered, but a retry after a lost completion could deliver again', {
        ...meta,
        error: String(err),
      });
    }
    log.info('notification delivered', { ...meta, duplicate: result.duplicate === true });
    return result;
  }

  /** A release that fails leaves a claim that expires on its own; it must not hide the send's own error. */
  async function releaseQuietly(key: string, token: string): Promise<void> {
    await sentLog.release(key, token).catch((err: unknown) => log.warn('sent-log release failed', { key, error: String(err) }));
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
 * SLACK_BOT_TOKEN or DATA_DIR/slack, and the sent-log (`sentLogFromConfig`,
 * or the one the worker passes so that it can prune and close it).
 */
export function createActivitiesFromConfig(
  config: Config,
  program: ProgramInfo,
  log: Logger = activityLog,
  sentLog = sentLogFromConfig(config),
): Activities {
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
    sentLog,
    log,
    metrics: activityMetricMeter,
  });
}

/**
 * SENT_LOG_DATABASE_URL: the PostgreSQL table every worker shares (workers on
 * several hosts); unset: marker files in DATA_DIR/sent-log (one host).
 */
export function sentLogFromConfig(config: Config, onError?: (err: Error) => void): SentLog {
  return config.sentLog.databaseUrl
    ? pgSentLog({ url: config.sentLog.databaseUrl, namespace: config.temporal.namespace, onError })
    : fileSentLog(path.join(config.dataDir, 'sent-log'));
}
