/**
 * POST /v1/slack/interactions: a click on a Slack button (workflows/buttons.ts).
 *
 * 1. Verified like Slack says: `v0=` + hex HMAC-SHA256 with SLACK_SIGNING_SECRET of
 *    `v0:<X-Slack-Request-Timestamp>:<raw body>`, compared in constant time, the
 *    timestamp within 5 minutes of our clock; anything else is a 401.
 * 2. The clicking Slack user becomes the decider: when the message went to a
 *    manager's DM only that user may decide; their name comes from users.info
 *    (with SLACK_BOT_TOKEN), else their Slack handle.
 * 3. The same workflow Update as the console and the API runs (decideCheckpoint,
 *    acknowledgeOpportunity), keyed by the message and the button, so a double
 *    click gets the first outcome.
 * 4. The message is replaced through the click's response_url with the outcome
 *    ("Extended by 14 days by Dana Ruiz …") or the reason it was refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ACTIONS, SLACK_EXTEND_DAYS } from '../../workflows/buttons';
import type { OnboardingState } from '../../workflows/types';
import { UpdateRefusedError, PartnerNotFoundError } from '../errors';
import type { OnboardingClient } from '../onboardingClient';
import { HttpError } from './errors';

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_WINDOW_SECONDS = 300;

/** The `v0=` signature Slack sends for `rawBody` at `timestamp` (unix seconds). */
export function slackSignature(secret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

export function verifySlackRequest(
  secret: string | undefined,
  headers: Record<string, unknown>,
  rawBody: string,
  nowMs: number,
): void {
  if (!secret) throw unauthorized('Slack interactions are off: SLACK_SIGNING_SECRET is not set');
  const timestamp = headers[SLACK_TIMESTAMP_HEADER];
  const signature = headers[SLACK_SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) throw unauthorized(`${SLACK_TIMESTAMP_HEADER} must be unix seconds`);
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_WINDOW_SECONDS) {
    throw unauthorized(`the Slack request timestamp is more than ${SLACK_WINDOW_SECONDS / 60} minutes away from our clock`);
  }
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody));
  const given = Buffer.from(typeof signature === 'string' ? signature : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('the Slack signature does not match the body');
}

const Button = z.object({ p: z.string().min(1), ph: z.enum(['foundation', 'activation', 'momentum']).optional(), o: z.string().optional(), u: z.string().optional() });
type Button = z.infer<typeof Button>;

const Payload = z.object({
  type: z.string(),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).optional(),
  response_url: z.string().optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  message: z.object({ ts: z.string().optional(), text: z.string().optional() }).optional(),
});
type Payload = z.infer<typeof Payload>;

export interface SlackInteractionOptions {
  signingSecret?: string;
  /** With a bot token, users.info names the decider. */
  botToken?: string;
  /** Slack's Web API base URL (tests: a local server); its host may also receive response_url posts. */
  apiUrl?: string;
  now?: () => number;
}

const minute = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

export class SlackInteractions {
  private readonly web?: WebClient;
  private readonly now: () => number;

  constructor(
    private readonly options: SlackInteractionOptions,
    private readonly onboarding: OnboardingClient,
  ) {
    this.now = options.now ?? Date.now;
    if (options.botToken) {
      const url = options.apiUrl && (options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
      this.web = new WebClient(options.botToken, { slackApiUrl: url, retryConfig: { retries: 0 }, timeout: 2000 });
    }
  }

  /** Verifies, decides and answers Slack; throws HttpError 401/400. */
  async handle(headers: Record<string, unknown>, rawBody: string, form: unknown): Promise<void> {
    verifySlackRequest(this.options.signingSecret, headers, rawBody, this.now());
    const raw = typeof form === 'object' && form !== null ? (form as Record<string, unknown>).payload : undefined;
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === 'string' ? raw : '');
    } catch {
      throw new HttpError(400, 'validation_failed', 'the request is invalid', [{ field: 'payload', message: 'must be a JSON interaction payload' }]);
    }
    const parsed = Payload.safeParse(json);
    if (!parsed.success) {
      throw new HttpError(400, 'validation_failed', 'the request is invalid', [{ field: 'payload', message: 'must be a Slack interaction payload' }]);
    }
    const payload = parsed.data;
    const clicked = payload.type === 'block_actions' ? payload.actions?.[0] : undefined;
    // A digest's Acknowledge buttons carry the opportunity after a colon (action ids are unique per block).
    const action = clicked && { ...clicked, action_id: clicked.action_id.split(':')[0] };
    if (!clicked || !action || !(Object.values(ACTIONS) as string[]).includes(action.action_id)) return; // not ours: nothing to do
    const button = this.button(action.value);
    if (!button) return;

    if (button.u && button.u !== payload.user.id) {
      await this.respond(payload, { text: `Only <@${button.u}>, the partner's manager, can decide here.`, ephemeral: true });
      return;
    }
    const by = await this.deciderName(payload.user);
    // A double click of the same button is the same Update: the first outcome again.
    const eventId = `slack-${payload.container?.message_ts ?? payload.message?.ts ?? this.now()}-${clicked.action_id}`.slice(0, 128);
    const outcome = await this.apply(action.action_id, button, by, eventId);
    await this.respond(payload, { text: outcome });
  }

  private button(value: string | undefined): Button | undefined {
    try {
      const parsed = Button.safeParse(JSON.parse(value ?? ''));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private async deciderName(user: Payload['user']): Promise<string> {
    if (this.web) {
      try {
        const info = await this.web.users.info({ user: user.id });
        const name = info.user?.real_name || info.user?.profile?.display_name;
        if (name) return name;
      } catch {
        // users.info is a nicety: fall back to the handle Slack sent.
      }
    }
    return user.name || user.username || user.id;
  }

  /** Runs the Update; the outcome (or the refusal) as one line for the message. */
  private async apply(actionId: string, button: Button, by: string, eventId: string): Promise<string> {
    const partner = button.p;
    try {
      if (actionId === ACTIONS.acknowledge) {
        if (!button.o) return 'Not applied: the button names no opportunity.';
        await this.onboarding.acknowledge(partner, { opportunityId: button.o, owner: by, eventId });
        return `Acknowledged by ${by}: opportunity ${button.o} of ${partner}.`;
      }
      const decision = actionId === ACTIONS.advance ? 'advance' : actionId === ACTIONS.extend ? 'extend' : 'offboard';
      const state = await this.onboarding.decide(partner, {
        decision,
        ...(button.ph ? { phase: button.ph } : {}),
        ...(decision === 'extend' ? { days: SLACK_EXTEND_DAYS } : {}),
        by,
        note: 'decided in Slack',
        eventId,
      });
      return decided(state, decision, by);
    } catch (err) {
      if (err instanceof UpdateRefusedError) return `Not applied: ${err.reason}. (${by} asked to ${verb(actionId)}.)`;
      if (err instanceof PartnerNotFoundError) return `Not applied: ${partner} has no onboarding running any more.`;
      throw err;
    }
  }

  /** Replaces the message (or, `ephemeral`, tells only the clicking user) through the click's response_url. */
  private async respond(payload: Payload, answer: { text: string; ephemeral?: boolean }): Promise<void> {
    const url = payload.response_url;
    if (!url || !this.allowedResponseUrl(url)) return;
    const original = payload.message?.text ? [{ type: 'section', text: { type: 'mrkdwn', text: payload.message.text } }] : [];
    const body = answer.ephemeral
      ? { response_type: 'ephemeral', replace_original: false, text: answer.text }
      : {
          replace_original: true,
          text: answer.text,
          blocks: [...original, { type: 'section', text: { type: 'mrkdwn', text: `*${answer.text}*` } }],
        };
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`Slack's response_url answered ${res.status}`);
  }

  /** Slack's hooks, or the configured Slack API host (a local Slack in tests): nothing else gets our posts. */
  private allowedResponseUrl(url: string): boolean {
    try {
      const target = new URL(url);
      if (target.protocol === 'https:' && target.hostname === 'hooks.slack.com') return true;
      return Boolean(this.options.apiUrl) && new URL(this.options.apiUrl!).host === target.host;
    } catch {
      return false;
    }
  }
}

function verb(actionId: string): string {
  if (actionId === ACTIONS.advance) return 'advance';
  if (actionId === ACTIONS.extend) return `extend by ${SLACK_EXTEND_DAYS} days`;
  if (actionId === ACTIONS.offboard) return 'offboard';
  return 'acknowledge';
}

function decided(state: OnboardingState, decision: string, by: string): string {
  if (decision === 'offboard') return `Offboarded by ${by}: onboarding of ${state.name} has ended.`;
  if (decision === 'extend') {
    return `Extended by ${SLACK_EXTEND_DAYS} days by ${by}: the ${state.phase} phase of ${state.name} now ends ${minute(state.phaseDeadline)}.`;
  }
  if (state.phase === 'graduated') return `Advanced by ${by}: ${state.name} has graduated.`;
  return `Advanced by ${by}: ${state.name} is in ${state.phase} now, until ${minute(state.phaseDeadline)}.`;
}
