/**
 * `sendManagerDigests`: one Slack digest per digest manager, once a day, in the
 * manager's morning. The hourly `managerDigests` workflow calls it with its
 * scheduled moment; it reads every digest partner's entry from visibility (the
 * reader the worker passes in), groups them by manager, and for each manager
 * whose local time at that moment is the digest hour posts one message:
 * checkpoints awaiting a decision (with Advance / Extend / Offboard), answers
 * owed on registered opportunities (with Acknowledge), overdue milestones, and
 * the pings of the last day the digest replaces.
 *
 * Exactly once per manager and local day: the key `manager-digest/<email>/<date>`
 * goes into the sent-log and the Slack message metadata (an earlier post is
 * found, not repeated), so a retried activity, a re-run schedule slot or a
 * second worker never sends a second digest that day.
 *
 * The manager's notification preferences (by e-mail and by Slack id, as for
 * their DMs; docs/preferences.md) apply to the DM: unsubscribed, Slack or
 * `manager_digest` turned off, the digest keeps only what cannot be turned off
 * (checkpoints awaiting a decision, opportunities owed an answer, the news of
 * essential pings), and is not sent when nothing of that is left (`suppressed`).
 * Quiet hours do not hold it back: it goes at the hour the deployment chose
 * (MANAGER_DIGEST_HOUR), like the per-partner digest it replaces. A digest to
 * the escalation channel (a manager without a Slack id) is the team's: no
 * preferences apply.
 */
import type { KnownBlock } from '@slack/web-api';
import type { Logger } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { ACTIONS, SLACK_EXTEND_DAYS, type ButtonValue } from '../workflows/buttons';
import type { ManagerDigestEntry } from '../workflows/digestEntry';
import { decideDelivery } from '../workflows/preferencePolicy';
import { failedOrThrow, slackFault } from './errors';
import { NO_PREFERENCES, type PreferenceSource } from './recipients';
import type { SentLog } from './sentLog';
import type { SlackDestination, SlackTransport } from './slack';

/** Slack takes at most 50 blocks per message: partners beyond this are named in one line. */
export const DIGEST_PARTNER_CAP = 20;

export interface ManagerDigestDeps {
  /** Every digest partner's entry, from visibility (client/digests.ts). */
  listEntries?: () => Promise<ManagerDigestEntry[]>;
  slack: SlackTransport;
  sentLog: SentLog;
  escalationChannel?: string;
  /** Decision buttons (SLACK_SIGNING_SECRET set). */
  buttons: boolean;
  log: Logger;
  /** The managers' notification preferences; none: every digest goes in full. */
  preferences?: PreferenceSource;
}

export interface ManagerDigestInput {
  /** The run's moment (its scheduled time), ISO-8601. */
  at: string;
  /** The managers' local hour the digest goes out at. */
  localHour: number;
}

export interface ManagerDigestOutcome {
  manager: string;
  localDate: string;
  partners: number;
  status: 'sent' | 'duplicate' | 'failed' | 'suppressed';
  error?: string;
  /** Why the manager's preferences held the digest back, or cut it to what cannot be turned off. */
  reason?: string;
}

/** The local date (YYYY-MM-DD) and hour of `ms` in `timeZone`. */
export function localTime(ms: number, timeZone: string): { date: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

const needsAttention = (e: ManagerDigestEntry) => Boolean(e.awaiting || e.slas.length || e.overdueTotal || e.news.length);

/** What no preference holds back: the decision owed, the answers owed and essential news (not the overdue list). */
export function essentialPart(e: ManagerDigestEntry): ManagerDigestEntry {
  return { ...e, overdue: [], overdueTotal: 0, news: e.news.filter((n) => n.essential === true) };
}
/** An instant in the manager's own time zone, e.g. "1 Dec, 10:00 CET". */
const when = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(
    new Date(iso),
  );
const words = (code: string) => code.replace(/_/g, ' ');

const NEWS: Record<string, string> = {
  week2_checkin: 'is due for its week-2 check-in call',
  checkpoint_extended: 'had a phase extended by default (no decision in time)',
  vendor_milestone_due: 'waits on us for a milestone due in 2 days',
  first_deal_support: 'registered its first opportunity: give it your best people',
  deal_lost_followup: 'lost a deal before its first win',
  first_deal_celebration: 'won its first deal',
  certification_recognition: 'passed a certification',
  business_review_scheduled: 'has its 90-day business review coming up',
  graduated: 'graduated',
  recurring_review_reminder: 'is due for a business review',
  quarterly_plan_request: 'needs its plan for the next quarter',
  manager_handover: 'was handed over to you',
  success_handover: 'moved to partner success management',
  activity_dropped: 'has gone quiet',
  tier_changed: 'changed segment',
  partner_contacts_missing: 'has no contacts yet: partner e-mails wait',
  offboarded: 'was offboarded',
};

/** Urgent first: decisions, then answers owed, then the most overdue. */
function byUrgency(a: ManagerDigestEntry, b: ManagerDigestEntry): number {
  const score = (e: ManagerDigestEntry) => (e.awaiting ? 1000 : 0) + e.slas.length * 100 + e.overdueTotal;
  return score(b) - score(a) || a.name.localeCompare(b.name);
}

export function renderManagerDigest(
  manager: ManagerDigestEntry['manager'],
  localDate: string,
  entries: ManagerDigestEntry[],
  buttons: boolean,
  atMs: number,
  /** Set when the manager's preferences cut the digest to what cannot be turned off: why. */
  essentialsOnly?: string,
): { text: string; blocks: KnownBlock[] } {
  const tz = manager.timezone;
  const sorted = [...entries].sort(byUrgency);
  const decisions = sorted.filter((e) => e.awaiting).length;
  const answers = sorted.reduce((n, e) => n + e.slas.length, 0);
  const overdue = sorted.reduce((n, e) => n + e.overdueTotal, 0);
  const headline = `Your partners on ${localDate}: ${decisions} checkpoint decision${decisions === 1 ? '' : 's'}, ${answers} opportunit${answers === 1 ? 'y' : 'ies'} to answer, ${overdue} overdue milestone${overdue === 1 ? '' : 's'}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${headline}* (${sorted.length} partner${sorted.length === 1 ? '' : 's'})` } }];
  if (essentialsOnly) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Only what cannot be turned off (your notification preferences: ${essentialsOnly}).` }],
    });
  }
  for (const e of sorted.slice(0, DIGEST_PARTNER_CAP)) {
    const lines = [`*${e.name}* (${e.partnerId}) · ${words(e.phase)} · ${words(e.health)}`];
    if (e.awaiting) lines.push(`• The ${e.awaiting.phase} checkpoint awaits your decision (by ${when(e.awaiting.decideBy, tz)}, else it is extended)`);
    for (const o of e.slas) {
      const name = o.account ? `${o.account} (${o.opportunityId})` : o.opportunityId;
      lines.push(
        Date.parse(o.dueAt) > atMs
          ? `• Opportunity ${name}: answer by ${when(o.dueAt, tz)}`
          : `• Opportunity ${name}: unanswered, the response SLA ran out ${when(o.dueAt, tz)}`,
      );
    }
    if (e.overdueTotal) {
      const more = e.overdueTotal > e.overdue.length ? ` and ${e.overdueTotal - e.overdue.length} more` : '';
      lines.push(`• Overdue: ${e.overdue.map((m) => `${m.title} (due ${m.dueAt.slice(0, 10)})`).join('; ')}${more}`);
    }
    for (const n of e.news) lines.push(`• ${e.name} ${NEWS[n.kind] ?? words(n.kind)}${n.detail ? `: ${n.detail}` : ''} (${when(n.at, tz)})`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } });
    const elements = buttons ? digestButtons(e, manager.slackUserId) : [];
    if (elements.length) blocks.push({ type: 'actions', block_id: `digest:${e.partnerId}`.slice(0, 255), elements });
  }
  const rest = sorted.slice(DIGEST_PARTNER_CAP);
  if (rest.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Also needing you: ${rest.map((e) => e.name).join(', ')}`.slice(0, 3000) }],
    });
  }
  return { text: headline, blocks };
}

function digestButtons(e: ManagerDigestEntry, userId: string | undefined): Extract<KnownBlock, { type: 'actions' }>['elements'] {
  const base: ButtonValue = { p: e.partnerId, ...(userId ? { u: userId } : {}) };
  const text = (t: string) => ({ type: 'plain_text' as const, text: t });
  const elements: Extract<KnownBlock, { type: 'actions' }>['elements'] = [];
  if (e.awaiting) {
    const value = JSON.stringify({ ...base, ph: e.awaiting.phase } satisfies ButtonValue);
    elements.push(
      { type: 'button', action_id: ACTIONS.advance, text: text('Advance'), value },
      { type: 'button', action_id: ACTIONS.extend, text: text(`Extend ${SLACK_EXTEND_DAYS} days`), value },
      {
        type: 'button',
        action_id: ACTIONS.offboard,
        text: text('Offboard'),
        style: 'danger',
        value,
        confirm: { title: text('Offboard this partner?'), text: text(`Onboarding ends for ${e.name}.`), confirm: text('Offboard'), deny: text('Cancel') },
      },
    );
  }
  // Slack wants action ids unique within a block: one Acknowledge per opportunity, told apart by a suffix.
  for (const o of e.slas.slice(0, 5)) {
    elements.push({
      type: 'button',
      action_id: `${ACTIONS.acknowledge}:${o.opportunityId}`.slice(0, 255),
      text: text(`Acknowledge ${o.account ?? o.opportunityId}`.slice(0, 75)),
      value: JSON.stringify({ ...base, o: o.opportunityId } satisfies ButtonValue),
    });
  }
  return elements;
}

export function createManagerDigestActivities(deps: ManagerDigestDeps) {
  async function sendManagerDigests(input: ManagerDigestInput): Promise<ManagerDigestOutcome[]> {
    if (!deps.listEntries) {
      throw ApplicationFailure.nonRetryable('this worker has no visibility reader for manager digests', 'NotConfigured');
    }
    const atMs = Date.parse(input.at);
    const byManager = new Map<string, ManagerDigestEntry[]>();
    for (const entry of await deps.listEntries()) {
      const email = entry.manager.email.toLowerCase();
      byManager.set(email, [...(byManager.get(email) ?? []), entry]);
    }
    const outcomes: ManagerDigestOutcome[] = [];
    for (const [email, entries] of byManager) {
      const manager = entries[0].manager;
      const local = localTime(atMs, manager.timezone);
      if (local.hour !== input.localHour) continue;
      const due = entries.filter(needsAttention);
      if (!due.length) continue;
      const allowed = await byPreferences(manager, due);
      if ('suppressed' in allowed) {
        deps.log.info('manager digest suppressed by preferences', { manager: email, reason: allowed.suppressed });
        outcomes.push({ manager: email, localDate: local.date, partners: due.length, status: 'suppressed', reason: allowed.suppressed });
        continue;
      }
      outcomes.push(await send(email, manager, local.date, allowed.entries, atMs, allowed.reason));
    }
    return outcomes;
  }

  /**
   * The manager's preferences on a DM: all of it, only what cannot be turned off (with why), or nothing.
   * A read that fails fails the attempt: Temporal retries it rather than send against the manager's wishes.
   */
  async function byPreferences(
    manager: ManagerDigestEntry['manager'],
    entries: ManagerDigestEntry[],
  ): Promise<{ entries: ManagerDigestEntry[]; reason?: string } | { suppressed: string }> {
    if (!manager.slackUserId) return { entries };
    const source = deps.preferences ?? NO_PREFERENCES;
    const records = await Promise.all([manager.email, manager.slackUserId].map((address) => source.read(address)));
    const decision = decideDelivery(records, { kind: 'manager_digest', channel: 'slack', essential: false, deferrable: false }, Date.now());
    if (decision.action !== 'suppress') return { entries };
    const essentials = entries.map(essentialPart).filter(needsAttention);
    return essentials.length ? { entries: essentials, reason: decision.reason } : { suppressed: decision.reason };
  }

  async function send(
    email: string,
    manager: ManagerDigestEntry['manager'],
    localDate: string,
    entries: ManagerDigestEntry[],
    atMs: number,
    essentialsOnly?: string,
  ): Promise<ManagerDigestOutcome> {
    const key = `manager-digest/${email}/${localDate}`;
    const outcome = { manager: email, localDate, partners: entries.length, ...(essentialsOnly ? { reason: essentialsOnly } : {}) };
    const to: SlackDestination | undefined = manager.slackUserId
      ? { user: manager.slackUserId }
      : deps.escalationChannel
        ? { channel: deps.escalationChannel }
        : undefined;
    if (!to) return { ...outcome, status: 'failed', error: 'no Slack target: the manager has no Slack user id and SLACK_ESCALATION_CHANNEL is not set' };
    const claim = await deps.sentLog.claim(key, 'slack');
    if (claim.status === 'sent') return { ...outcome, status: 'duplicate' };
    if (claim.status === 'busy') throw ApplicationFailure.retryable(`manager digest ${key} is claimed by another attempt until ${claim.until}`, 'NotificationClaimed');
    const rendered = renderManagerDigest(manager, localDate, entries, deps.buttons, atMs, essentialsOnly);
    if (!manager.slackUserId) rendered.blocks.unshift({ type: 'context', elements: [{ type: 'mrkdwn', text: `For ${manager.name}` }] });
    let posted: { providerId: string; duplicate: boolean };
    try {
      posted = await deps.slack.post(to, { key, ...rendered });
    } catch (err) {
      await deps.sentLog.release(key, claim.token).catch(() => undefined);
      const failed = failedOrThrow(key, err, slackFault);
      deps.log.warn('manager digest failed permanently', { key, error: failed.error });
      return { ...outcome, status: 'failed', error: failed.error };
    }
    await deps.sentLog
      .confirm(claim.token, { key, channel: 'slack', providerId: posted.providerId, at: new Date().toISOString() })
      .catch((err: unknown) => deps.log.error('sent-log confirm failed: delivered, the Slack metadata still finds it', { key, error: String(err) }));
    deps.log.info('manager digest delivered', { key, partners: entries.length, duplicate: posted.duplicate });
    return { ...outcome, status: posted.duplicate ? 'duplicate' : 'sent' };
  }

  return { sendManagerDigests };
}
