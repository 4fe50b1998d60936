/**
 * Slack through @slack/web-api: renders one notification and posts it once.
 * The caller (./index.ts) owns the sent-log.
 *
 * Every post carries the idempotency key in its message metadata. Before
 * posting, the Web API transport reads the latest messages of the target
 * conversation and, when one already carries the key, reports it instead of
 * posting again. That covers the crash between Slack accepting a post and the
 * sent-log write, even when the retry runs on a worker with another DATA_DIR.
 * The client must not retry on its own (retries: 0, rejectRateLimitedCalls):
 * Temporal owns the retries.
 */
import path from 'node:path';
import { LogLevel, WebClient, type KnownBlock } from '@slack/web-api';
import type { DeliveryResult, Message, NotificationRequest, SlackTarget } from '../workflows/notifications';
import { failedOrThrow, slackFault } from './errors';
import { deliveryHash, writeFileAtomic } from './sentLog';
import { actionBlocks } from './slackActions';
import { renderSlack } from './templates';

export const SLACK_EVENT_TYPE = 'partner_onboarding_notification';

/** How many of a conversation's latest messages are searched for an earlier post. */
const HISTORY_WINDOW = 100;

/** A DM by user id, or a channel id. */
export type SlackDestination = { user: string } | { channel: string };

export interface SlackMessage {
  /** The idempotency key, carried in the message metadata. */
  key: string;
  text: string;
  blocks: KnownBlock[];
}

export interface SlackTransport {
  /** Posts the message unless it is already there; `duplicate` says it was. */
  post(to: SlackDestination, message: SlackMessage): Promise<{ providerId: string; duplicate: boolean }>;
}

export type SlackRequest = Extract<NotificationRequest, { channel: 'slack' }>;

/**
 * A WebClient that never retries or waits on its own (Temporal owns retries; a
 * 429 surfaces at once with its Retry-After) and times out well inside the
 * activity's 1-minute timeout. Its own logging is off: faults are classified
 * and reported by the activity.
 */
export function slackClient(token: string, apiUrl?: string): WebClient {
  return new WebClient(token, {
    // WebClient appends the method name to the base URL as is.
    slackApiUrl: apiUrl && (apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logLevel: LogLevel.ERROR,
  });
}

/** The Web API; SLACK_ESCALATION_CHANNEL must be a channel id (C…), which conversations.history needs. */
export function webApiTransport(client: WebClient): SlackTransport {
  const dmChannels = new Map<string, string>();

  async function dmChannel(user: string): Promise<string> {
    const known = dmChannels.get(user);
    if (known) return known;
    const opened = await client.conversations.open({ users: user });
    const id = opened.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel id');
    dmChannels.set(user, id);
    return id;
  }

  async function earlierPost(channel: string, key: string): Promise<string | undefined> {
    const history = await client.conversations.history({ channel, include_all_metadata: true, limit: HISTORY_WINDOW });
    const match = history.messages?.find(
      (m) =>
        m.metadata?.event_type === SLACK_EVENT_TYPE &&
        (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key,
    );
    return match?.ts;
  }

  return {
    async post(to, message) {
      const channel = 'user' in to ? await dmChannel(to.user) : to.channel;
      const earlier = await earlierPost(channel, message.key);
      if (earlier) return { providerId: earlier, duplicate: true };
      const posted = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: { event_type: SLACK_EVENT_TYPE, event_payload: { key: message.key } },
        unfurl_links: false,
        unfurl_media: false,
      });
      return { providerId: posted.ts ?? '', duplicate: false };
    },
  };
}

/** Without SLACK_BOT_TOKEN: each message becomes `<dir>/<sha256(key)>.json`; a retry overwrites its own file. */
export function fileTransport(dir: string): SlackTransport {
  return {
    async post(to, message) {
      const file = `${deliveryHash(message.key)}.json`;
      const metadata = { event_type: SLACK_EVENT_TYPE, event_payload: { key: message.key } };
      await writeFileAtomic(path.join(dir, file), `${JSON.stringify({ to, ...message, metadata }, null, 2)}\n`);
      return { providerId: file, duplicate: false };
    },
  };
}

export function createSlackSender(slack: SlackTransport, escalationChannel: string | undefined, buttons = false) {
  return async function sendSlack(request: SlackRequest, message: Message, key: string): Promise<DeliveryResult> {
    const to = destination(request.to, escalationChannel);
    if (!to) {
      const error = request.to.escalation
        ? 'no Slack target: SLACK_ESCALATION_CHANNEL is not set'
        : 'no Slack target: the recipient has no Slack user id and SLACK_ESCALATION_CHANNEL is not set';
      return { key: request.key, status: 'failed', error };
    }
    const rendered = renderSlack(message);
    if (buttons) rendered.blocks.push(...actionBlocks(message, 'user' in to ? to.user : undefined));
    try {
      const { providerId, duplicate } = await slack.post(to, { key, ...rendered });
      return { key: request.key, status: 'sent', providerId, ...(duplicate && { duplicate }) };
    } catch (err) {
      return failedOrThrow(request.key, err, slackFault);
    }
  };
}

/** The escalation channel when asked for; else a DM when the user id is known; else the escalation channel. */
function destination(target: SlackTarget, escalationChannel: string | undefined): SlackDestination | undefined {
  if (target.userId && !target.escalation) return { user: target.userId };
  return escalationChannel ? { channel: escalationChannel } : undefined;
}
