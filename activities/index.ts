/**
 * The notification activities. `deliverNotification` renders one
 * NotificationRequest and delivers it exactly once per idempotency key
 * `${workflowId}/${request.key}`:
 *
 *   1. it claims the key in the sent-log (./sentLog.ts): a key already sent is reported
 *      as sent (`duplicate`) and nothing goes out; a key another attempt holds a live
 *      claim on throws, and Temporal retries later;
 *   2. each recipient's preferences decide whether they get it now, later or not at all
 *      (./recipients.ts); essential messages reach everyone;
 *   3. the message goes out carrying the key (e-mail: one copy per recipient, each with a
 *      Message-ID derived from its own key and its own unsubscribe link; Slack: message
 *      metadata, and a post an earlier attempt made is found in the conversation instead
 *      of being posted again);
 *   4. as soon as the provider accepted a copy, its claim is confirmed as sent; when
 *      nothing went out, the claim is released. An e-mail to several recipients claims
 *      each copy's key (`<key>#<recipient hash>`) under the notification's own claim,
 *      which is confirmed once every copy is settled.
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
import type { ManagerDigestEntry } from '../workflows/digestEntry';
import type { DeliveryInput, DeliveryResult, Message, NotificationRequest, ProgramInfo } from '../workflows/notifications';
import { decideDelivery, type DeliveryFacts } from '../workflows/preferencePolicy';
import { createEmailSender, outboxTransport, smtpTransport, type EmailRequest, type MailTransport } from './email';
import { createManagerDigestActivities } from './managerDigests';
import { notificationMetrics } from './metrics';
import { pgSentLog } from './pgSentLog';
import { NO_PREFERENCES, outcomeOf, recipientId, slackRecipients, summarise, type Outcome, type PreferenceSource } from './recipients';
import { fileSentLog, type SentLog } from './sentLog';
import { createSlackSender, fileTransport, slackClient, webApiTransport, type SlackRequest, type SlackTransport } from './slack';

export type { PreferenceSource } from './recipients';

export interface NotificationDeps {
  /** The program of the worker's playbook, for partners pinned to a playbook from before programs. */
  program: ProgramInfo;
  /** `smtpTransport(url)` (or any nodemailer transporter), or `outboxTransport(dir)`. */
  mailer: MailTransport;
  /** `webApiTransport(slackClient(token))`, or `fileTransport(dir)`. */
  slack: SlackTransport;
  /** `buttons`: decision buttons on Slack messages (on when the API verifies Slack's clicks: SLACK_SIGNING_SECRET). */
  config: { from: string; escalationChannel?: string; buttons?: boolean };
  sentLog: SentLog;
  log: Logger;
  /** The activity context's meter in a worker; none by default. */
  metrics?: MetricMeter;
  /** Recipients' notification preferences and unsubscribe links; none by default (everyone gets everything). */
  preferences?: PreferenceSource;
  /** The digest partners' entries from visibility, for `sendManagerDigests` (the worker passes client/digests.ts). */
  digestEntries?: () => Promise<ManagerDigestEntry[]>;
}

export function createActivities(deps: NotificationDeps) {
  const { sentLog, log } = deps;
  const preferences = deps.preferences ?? NO_PREFERENCES;
  const sendEmail = createEmailSender(deps.mailer, deps.config.from, log);
  const sendSlack = createSlackSender(deps.slack, deps.config.escalationChannel, deps.config.buttons === true);
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
    const facts: DeliveryFacts = {
      kind: request.kind,
      channel: request.channel,
      essential: request.essential === true,
      deferrable: request.deferrable === true,
    };
    const result =
      request.channel === 'email'
        ? await deliverEmail(request, message, key, claim.token, facts)
        : await deliverSlack(request, message, key, claim.token, facts);
    if (result.status === 'suppressed' || result.status === 'deferred') metrics.outcome(request, result.status);
    log.info(result.status === 'sent' ? 'notification delivered' : `notification ${result.status}`, {
      ...meta,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.retryAt ? { retryAt: result.retryAt } : {}),
      duplicate: result.duplicate === true,
    });
    return result;
  }

  /**
   * One copy per recipient, each recipient's preferences applied. With one
   * recipient the copy is the notification (its key, its claim, its Message-ID);
   * with several, each copy is claimed under its own key, and the notification's
   * claim is confirmed once every copy is settled (sent, suppressed or failed),
   * else released so that a later request reaches the recipients still waiting.
   */
  async function deliverEmail(request: EmailRequest, message: Message, key: string, token: string, facts: DeliveryFacts): Promise<DeliveryResult> {
    if (request.to.length === 0) {
      await releaseQuietly(key, token);
      return { key: request.key, status: 'failed', error: 'no e-mail recipients' };
    }
    if (request.to.length === 1) {
      const [to] = request.to as [EmailRequest['to'][number]];
      return summarise(request.key, [await emailCopy(request, message, to, key, token, facts)]);
    }
    const outcomes: Outcome[] = [];
    try {
      for (const to of request.to) {
        const copyKey = `${key}#${recipientId(to.email)}`;
        const copy = await sentLog.claim(copyKey, 'email');
        if (copy.status === 'sent') {
          outcomes.push({ status: 'sent', providerId: copy.record.providerId, duplicate: true });
          continue;
        }
        if (copy.status === 'busy') {
          metrics.outcome(request, 'error');
          throw ApplicationFailure.retryable(`notification ${copyKey} is claimed by another attempt until ${copy.until}`, 'NotificationClaimed');
        }
        outcomes.push(await emailCopy(request, message, to, copyKey, copy.token, facts));
      }
    } catch (err) {
      await releaseQuietly(key, token);
      throw err;
    }
    const result = summarise(request.key, outcomes);
    if (result.status === 'sent' && !result.retryAt) await confirmQuietly(token, { key, channel: 'email', providerId: result.providerId });
    else await releaseQuietly(key, token);
    return result;
  }

  async function emailCopy(
    request: EmailRequest,
    message: Message,
    to: EmailRequest['to'][number],
    copyKey: string,
    token: string,
    facts: DeliveryFacts,
  ): Promise<Outcome> {
    const decision = decideDelivery([await preferences.read(to.email).catch(releasing(copyKey, token))], facts, Date.now());
    if (decision.action !== 'send') {
      await releaseQuietly(copyKey, token);
      return outcomeOf(decision);
    }
    const unsubscribeUrl = preferences.unsubscribeUrl(to.email);
    return deliverCopy(request, copyKey, token, () => sendEmail(request, message, { to, key: copyKey, unsubscribeUrl }));
  }

  /** A DM is the manager's: their preferences (by e-mail and by Slack id) apply. Channel posts go as they are. */
  async function deliverSlack(request: SlackRequest, message: Message, key: string, token: string, facts: DeliveryFacts): Promise<DeliveryResult> {
    const addresses = slackRecipients(request.to);
    if (addresses.length) {
      const records = await Promise.all(addresses.map((a) => preferences.read(a))).catch(releasing(key, token));
      const decision = decideDelivery(records, facts, Date.now());
      if (decision.action !== 'send') {
        await releaseQuietly(key, token);
        return summarise(request.key, [outcomeOf(decision)]);
      }
    }
    return summarise(request.key, [await deliverCopy(request, key, token, () => sendSlack(request, message, key))]);
  }

  /** Sends one copy under its claim: confirmed once the provider accepted it, released when nothing went out. */
  async function deliverCopy(request: NotificationRequest, copyKey: string, token: string, send: () => Promise<DeliveryResult>): Promise<Outcome> {
    const result = await send().catch(async (err: unknown) => {
      metrics.outcome(request, 'error');
      await releaseQuietly(copyKey, token);
      throw err;
    });
    if (result.status !== 'sent') {
      log.warn('notification failed permanently', { key: copyKey, kind: request.kind, channel: request.channel, error: result.error });
      metrics.outcome(request, 'failed');
      await releaseQuietly(copyKey, token);
      return { status: 'failed', error: result.error ?? 'failed' };
    }
    if (result.duplicate) metrics.duplicate(request);
    else metrics.outcome(request, 'sent');
    await confirmQuietly(token, { key: copyKey, channel: request.channel, providerId: result.providerId });
    return { status: 'sent', ...(result.providerId ? { providerId: result.providerId } : {}), ...(result.duplicate ? { duplicate: true } : {}) };
  }

  /**
   * Delivered all the same when the confirmation fails: completing the activity records
   * it in the workflow history, so the workflow never asks again. Throwing would make Temporal resend.
   */
  async function confirmQuietly(token: string, record: { key: string; channel: 'email' | 'slack'; providerId?: string }): Promise<void> {
    try {
      await sentLog.confirm(token, { ...record, at: new Date().toISOString() });
    } catch (err) {
      log.error('sent-log confirmation failed: delivered, but a retry after a lost completion could deliver again', {
        key: record.key,
        channel: record.channel,
        error: String(err),
      });
    }
  }

  /** For a failed read of preferences: release the claim, and let the error through for Temporal to retry. */
  function releasing(key: string, token: string) {
    return async (err: unknown): Promise<never> => {
      await releaseQuietly(key, token);
      throw err;
    };
  }

  /** A release that fails leaves a claim that expires on its own; it must not hide the send's own error. */
  async function releaseQuietly(key: string, token: string): Promise<void> {
    await sentLog.release(key, token).catch((err: unknown) => log.warn('sent-log release failed', { key, error: String(err) }));
  }

  const { sendManagerDigests } = createManagerDigestActivities({
    listEntries: deps.digestEntries,
    slack: deps.slack,
    sentLog,
    escalationChannel: deps.config.escalationChannel,
    buttons: deps.config.buttons === true,
    log,
    preferences,
  });

  return { deliverNotification, sendManagerDigests };
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
 * or the one the worker passes so that it can prune and close it);
 * `digestEntries` reads the manager digests' entries from visibility.
 */
export function createActivitiesFromConfig(
  config: Config,
  program: ProgramInfo,
  log: Logger = activityLog,
  sentLog = sentLogFromConfig(config),
  preferences: PreferenceSource = NO_PREFERENCES,
  digestEntries?: () => Promise<ManagerDigestEntry[]>,
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
    config: { from: email.from, escalationChannel: slack.escalationChannel, buttons: Boolean(slack.signingSecret) },
    sentLog,
    log,
    metrics: activityMetricMeter,
    preferences,
    digestEntries,
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
