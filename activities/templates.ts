/**
 * What each notification says: for every kind in NOTIFICATION_KINDS a short
 * message with one clear next step, rendered as a plain-text + HTML e-mail or as
 * a Slack Block Kit message. E-mail speaks to the partner, Slack to the vendor
 * team; the kinds sent on both channels have a version for each.
 *
 * `request.data` is plain JSON from the domain, read defensively: every field is
 * optional and a missing one drops only the phrase that needs it. A list item
 * may be a string or an object with a `title`, `text` or `id`; milestone ids
 * such as `portal_access` read as "Portal access". Fields read:
 *
 *   welcome                    managerName, days, steps[], portalUrl
 *   access_overdue             missing[], hours
 *   week2_checkin              accounts[]
 *   milestone_reminder         milestone, dueAt, overdue, url
 *   training_stalled_*         module, days
 *   registration_gated         opportunityId, training
 *   opportunity_sla_*          opportunityId, account, hours, managerName
 *   checkpoint_summary         phase, gaps[], decideBy
 *   checkpoint_extended        phase, days, until, gaps[]
 *   phase_advanced             phase, steps[]
 *   at_risk                    reasons[], day, phase, managerName
 *   first_deal_celebration     opportunityId, account, amount, currency
 *   business_review_scheduled  dueAt, days
 *   survey_request             surveyUrl
 *   graduated                  day
 *   recurring_review_reminder  dueAt, cadence
 *   manager_digest             items[]; an item `{ kind, data }` reads as that message's title
 *   offboarded                 reason
 *   weekly_digest              asOf, indicators[] ({ id, value, unit, target: { op, value }, met }),
 *                              atRisk[] ({ partnerId, name, phase }), atRiskTotal,
 *                              topBottleneck ({ milestoneId, phase, partners })
 */
import type { KnownBlock } from '@slack/web-api';
import type { NotificationKind } from '../workflows/notifications';
import type { Phase } from '../workflows/types';

export interface TemplateInput {
  kind: NotificationKind;
  partnerId: string;
  partnerName: string;
  data: Record<string, unknown>;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface RenderedSlack {
  /** Notification and fallback text (mrkdwn, escaped). */
  text: string;
  blocks: KnownBlock[];
}

interface List {
  heading: string;
  items: string[];
  numbered?: boolean;
}

/** One message, before it is rendered for a channel. Plain text throughout. */
interface Content {
  /** E-mail subject, Slack header. */
  title: string;
  lead: string;
  /** Each list is left out while it has no items. */
  lists?: List[];
  link?: { label: string; url: string };
  next?: string;
  /** Who the message is about, when it is not one partner (e-mail footer, Slack context). */
  footer?: string;
}

type Audience = 'partner' | 'team';
interface Ctx {
  partner: string;
  partnerId: string;
  f: Fields;
}
type Compose = (ctx: Ctx) => Content;
/** One message for both audiences, or a version for each. */
type Versions = Compose | Record<Audience, Compose>;

export function renderEmail(input: TemplateInput): RenderedEmail {
  const content = compose(input, 'partner');
  const footer = content.footer ?? `You receive this e-mail because ${input.partnerName} is onboarding to our partner program.`;
  return { subject: content.title, text: toText(content, footer), html: toHtml(content, footer) };
}

export function renderSlack(input: TemplateInput): RenderedSlack {
  const content = compose(input, 'team');
  return { text: mrkdwn(`${content.title}: ${content.lead}`), blocks: toBlocks(content, input) };
}

function compose(input: TemplateInput, audience: Audience): Content {
  const ctx: Ctx = { partner: input.partnerName, partnerId: input.partnerId, f: new Fields(input.data) };
  return pick(TEMPLATES[input.kind], audience)(ctx);
}

function pick(versions: Versions, audience: Audience): Compose {
  return typeof versions === 'function' ? versions : versions[audience];
}

// ---------------------------------------------------------------------------
// The messages
// ---------------------------------------------------------------------------

const FIRST_WEEK = [
  'Join the 30-minute kickoff call with your partner manager',
  'Complete your company profile in the partner portal',
  'Name your primary contacts: a sales lead and a technical lead',
  'Sign the data sharing and confidentiality agreements',
];

const PHASES: Record<Phase, { name: string; goal: string; steps: string[] }> = {
  foundation: {
    name: 'Foundation',
    goal: 'know our business, get access to every system, finish the baseline training and spot a first opportunity',
    steps: FIRST_WEEK,
  },
  activation: {
    name: 'Activation',
    goal: 'your first co-selling motion with our team',
    steps: [
      'Register your first opportunity: we answer within 24 hours',
      'Take the 2-hour co-selling training',
      'Earn the certification for your role',
      'Meet a customer together with our team',
    ],
  },
  momentum: {
    name: 'Momentum',
    goal: 'close your first deal or build solid pipeline, and meet our wider team',
    steps: [
      'Drive your first deal to close, with our best people behind you',
      'Register two or three more opportunities',
      'Join a partner community event',
      'Meet our marketing, product and customer success teams',
    ],
  },
};

const ASK_US = 'Stuck or unsure? Reply to this e-mail and your partner manager will help.';

const TEMPLATES: Record<NotificationKind, Versions> = {
  welcome: ({ partner, f }) => ({
    title: `Welcome to the partner program, ${partner}`,
    lead: words(
      `Welcome aboard! Over the next ${f.text('days') ?? '90'} days we take you from signature to your first deal, one small step at a time.`,
      f.text('managerName') && `${f.text('managerName')} is your partner manager and your first contact for anything.`,
    ),
    lists: [{ heading: 'Your first week', items: f.list('steps', FIRST_WEEK), numbered: true }],
    link: f.url('portalUrl', 'Open the partner portal'),
    next: 'Questions? Just reply to this e-mail.',
  }),
  access_overdue: ({ partner, f }) => ({
    title: `${partner}: first-week setup still open`,
    lead: `${f.text('hours') ?? '48'} hours in, ${partner} does not have everything to get started. Our target is portal access within 48 hours.`,
    lists: [{ heading: 'Still open', items: f.list('missing') }],
    next: 'Next step: check the portal invite went out and book the kickoff call today.',
  }),
  week2_checkin: ({ partner, f }) => ({
    title: `${partner}: week-2 check-in due`,
    lead: `Time for the end-of-week-2 check-in call with ${partner}.`,
    lists: [{
      heading: 'Agenda',
      items: [
        'Answer their questions and remove blockers',
        'Share target account lists and competitive battle cards',
        words('Review the accounts they identified', f.list('accounts').length > 0 && `(${f.list('accounts').join(', ')})`),
        'Introduce the product or technical team if useful',
      ],
    }],
    next: 'Next step: book the call if it is not in the calendar yet.',
  }),
  milestone_reminder: ({ f }) => {
    const milestone = f.title('milestone') ?? 'Your next onboarding step';
    const due = f.date('dueAt');
    const overdue = f.flag('overdue');
    return {
      title: overdue ? `Overdue: ${milestone}` : words(`Reminder: ${milestone}`, due && `is due ${due}`),
      lead: overdue
        ? words(`${milestone} was due`, due && `on ${due}`, 'and is the next step on your onboarding plan.')
        : words(`A quick reminder: ${milestone} is due`, due ? `on ${due}.` : 'soon.'),
      link: f.url('url', 'Open it in the partner portal'),
      next: ASK_US,
    };
  },
  training_stalled_partner: ({ f }) => {
    const training = f.title('module') ?? 'your training';
    return {
      title: `Pick up where you left off: ${training}`,
      lead: `You started ${training} but have not finished it yet. The modules are short: one today keeps you on track for your first opportunity.`,
      next: 'Short on time or blocked? Reply to this e-mail and we will find a faster path with you.',
    };
  },
  training_stalled_manager: ({ partner, f }) => ({
    title: `${partner}: training still stalled`,
    lead: words(
      `${partner} has not moved on ${f.title('module') ?? 'their training'}`,
      f.text('days') && `for ${f.text('days')} days`,
      'despite a reminder.',
    ),
    lists: [{
      heading: 'Suggested next steps',
      items: [
        'Call them and ask what is in the way',
        'Offer the training fast track or a live Q&A session',
        'Tie the training to a concrete opportunity',
      ],
    }],
  }),
  registration_gated: ({ f }) => {
    const opportunity = f.text('opportunityId');
    const training = f.title('training') ?? 'Business 101';
    return {
      title: `Finish ${training} to register ${opportunity ? `opportunity ${opportunity}` : 'opportunities'}`,
      lead: `Thanks for registering ${opportunity ? `opportunity ${opportunity}` : 'an opportunity'}! Deal registration opens once ${training} is complete, so we could not accept it yet.`,
      lists: [{
        heading: 'Next steps',
        items: [`Complete ${training} (2-3 hours, at your own pace)`, 'Register the opportunity again: nothing is lost'],
        numbered: true,
      }],
      next: ASK_US,
    };
  },
  opportunity_sla_manager: ({ partner, f }) => ({
    title: `${partner}: a registered opportunity waits for an answer`,
    lead: words(
      `${partner} registered ${opportunityLabel(f)}`,
      `${f.text('hours') ?? '24'} hours ago and has not heard back. We promise an answer within 24 hours.`,
    ),
    next: 'Next step: acknowledge it, assign an account executive and send the deal resources.',
  }),
  opportunity_sla_escalation: ({ partner, f }) => ({
    title: `Escalation: ${partner} opportunity unanswered`,
    lead: words(
      `${opportunityLabel(f, true)} from ${partner} has had no answer for ${f.text('hours') ?? '48'} hours.`,
      f.text('managerName') && `Partner manager: ${f.text('managerName')}.`,
    ),
    next: 'Next step: someone acknowledge it and assign an owner today.',
  }),
  checkpoint_summary: ({ partner, partnerId, f }) => ({
    title: `${partner}: ${phaseName(f)} checkpoint needs a decision`,
    lead: `${partner} reached the end of the ${phaseName(f)} with gaps.`,
    lists: [{ heading: 'Gaps', items: f.list('gaps') }],
    next: words(
      `Next step: decide to advance, extend or offboard (POST /v1/partners/${partnerId}/decisions).`,
      f.date('decideBy') && `Without a decision by ${f.date('decideBy')} the phase is extended.`,
    ),
  }),
  checkpoint_extended: ({ partner, f }) => ({
    title: words(`${partner}: ${phaseName(f)} extended`, f.text('days') && `by ${f.text('days')} days`),
    lead: words(
      `No checkpoint decision arrived, so the ${phaseName(f)} was extended`,
      f.date('until') ? `until ${f.date('until')}.` : 'by default.',
    ),
    lists: [{ heading: 'Open gaps', items: f.list('gaps') }],
    next: 'Next step: agree with the partner how to close the gaps.',
  }),
  phase_advanced: ({ partner, f }) => {
    const phase = phaseOf(f) ?? PHASES.activation;
    return {
      title: `Next up: the ${phase.name} phase`,
      lead: `Great work, ${partner}! You are now in the ${phase.name} phase. The goal: ${phase.goal}.`,
      lists: [{ heading: 'What comes next', items: f.list('steps', phase.steps), numbered: true }],
      next: ASK_US,
    };
  },
  at_risk: ({ partner, f }) => ({
    title: `At risk: ${partner}`,
    lead: words(
      `${partner}`,
      f.text('day') && `(day ${f.text('day')}${f.text('phase') ? `, ${phaseName(f)}` : ''})`,
      'is at risk of stalling.',
      f.text('managerName') && `Partner manager: ${f.text('managerName')}.`,
    ),
    lists: [{ heading: 'Why', items: f.list('reasons') }],
    next: 'Next step: the partner manager calls them this week and agrees a recovery plan.',
  }),
  first_deal_celebration: {
    partner: ({ partner, f }) => ({
      title: 'Congratulations on your first deal!',
      lead: `${partner}, you closed your first deal with us${f.money() ? ` (${f.money()})` : ''}: the milestone that matters most. Thank you!`,
      lists: [{
        heading: 'Keep the momentum',
        items: ['Register your next two or three opportunities', 'Tell us what helped and what slowed you down'],
      }],
    }),
    team: ({ partner, f }) => ({
      title: `:tada: ${partner} closed their first deal`,
      lead: `${opportunityLabel(f, true)} is won${f.money() ? ` (${f.money()})` : ''}.`,
      next: 'Next step: celebrate it with the partner and thank everyone who helped.',
    }),
  },
  business_review_scheduled: {
    partner: ({ f }) => ({
      title: `Your ${f.text('days') ?? '90'}-day business review`,
      lead: words(
        "You are nearly through onboarding. Let's look back at the first months together and plan the next 90 days.",
        f.date('dueAt') && `We would like to meet by ${f.date('dueAt')}.`,
      ),
      lists: [{
        heading: 'Please bring your thoughts on',
        items: ['What went well?', 'What was confusing or slow?', 'What do you need to scale?'],
      }],
      next: 'Your partner manager will send the invitation.',
    }),
    team: ({ partner, f }) => ({
      title: `${partner}: schedule the ${f.text('days') ?? '90'}-day business review`,
      lead: words(`The business review with ${partner} is due`, f.date('dueAt') ? `${f.date('dueAt')}.` : 'now.'),
      lists: [{
        heading: 'Cover',
        items: ['What went well, what was slow, what they need to scale', 'The joint business plan for the next 90 days'],
      }],
      next: 'Next step: send the invitation.',
    }),
  },
  survey_request: ({ f }) => ({
    title: 'Two minutes: how was your onboarding?',
    lead: 'We want onboarding to get better for every partner. How would you rate yours from 0 to 10, and what is one thing we should change?',
    link: f.url('surveyUrl', 'Take the two-minute survey'),
    next: 'Or simply reply to this e-mail with your score and a comment.',
  }),
  graduated: {
    partner: ({ partner }) => ({
      title: `You are fully onboarded, ${partner}!`,
      lead: 'Congratulations: you have completed onboarding. From here on we work together as active partners.',
      lists: [{
        heading: 'From here',
        items: [
          'Keep registering new opportunities as they come',
          'Join our partner community events',
          'Meet your partner manager for regular business reviews',
        ],
      }],
    }),
    team: ({ partner, f }) => ({
      title: `:mortar_board: ${partner} graduated`,
      lead: `${partner} completed onboarding${f.text('day') ? ` on day ${f.text('day')}` : ''}.`,
      next: 'Next step: move them to active partner management and set up the recurring reviews.',
    }),
  },
  recurring_review_reminder: ({ partner, f }) => ({
    title: `${partner}: ${f.text('cadence') ?? 'quarterly'} business review due`,
    lead: words(
      `The ${f.text('cadence') ?? 'quarterly'} business review with ${partner} is due`,
      f.date('dueAt') ? `${f.date('dueAt')}.` : 'now.',
    ),
    lists: [{ heading: 'Cover', items: ['Pipeline and revenue since the last review', 'Updates to the joint business plan'] }],
    next: 'Next step: send the invitation.',
  }),
  manager_digest: (ctx) => {
    const items = ctx.f.entries('items').map((entry) => digestLine(entry, ctx)).filter((s): s is string => s !== undefined);
    return {
      title: `${ctx.partner}: daily digest`,
      lead: `${items.length || 'No'} update${items.length === 1 ? '' : 's'} since the last digest.`,
      lists: [{ heading: 'Updates', items }],
    };
  },
  offboarded: ({ partner, f }) => ({
    title: `${partner} offboarded`,
    lead: f.text('reason') ? `Onboarding for ${partner} ended: ${f.text('reason')}.` : `Onboarding for ${partner} ended.`,
    next: 'No further reminders will be sent.',
  }),
  weekly_digest: ({ f }) => {
    const shown = f.entries('atRisk').map(atRiskLine).filter((s): s is string => s !== undefined);
    const total = Math.max(Number(f.text('atRiskTotal') ?? 0), shown.length);
    const more = total > shown.length ? [`… and ${total - shown.length} more`] : [];
    const bottleneck = bottleneckLine(f.object('topBottleneck'));
    return {
      title: words('Partner program: weekly digest', f.date('asOf') && `of ${f.date('asOf')}`),
      lead: words(
        total ? `${total} partner${total === 1 ? ' is' : 's are'} at risk.` : 'No partner is at risk.',
        bottleneck && `Top bottleneck: ${bottleneck}.`,
      ),
      lists: [
        { heading: 'Indicators', items: f.entries('indicators').map(indicatorLine).filter((s): s is string => s !== undefined) },
        { heading: 'At risk', items: [...shown, ...more] },
      ],
      next: total ? 'Next step: each partner manager agrees a recovery plan with their partner this week.' : undefined,
      footer: 'Weekly digest of the partner onboarding program',
    };
  },
};

/** `Completion rate: 75% (target > 80%, missed)`; undefined without an id. */
function indicatorLine(entry: unknown): string | undefined {
  const o = (entry ?? {}) as Record<string, unknown>;
  const id = scalar(o.id);
  if (!id) return undefined;
  const label = humanize(id.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`));
  const unit = scalar(o.unit);
  const value = typeof o.value === 'number' ? measure(o.value, unit) : 'no data';
  const { op, value: target } = (o.target ?? {}) as Record<string, unknown>;
  const detail = [
    typeof target === 'number' && `target ${[scalar(op), measure(target, unit)].filter(Boolean).join(' ')}`,
    typeof o.met === 'boolean' && (o.met ? 'met' : 'missed'),
  ].filter(Boolean);
  return `${label}: ${value}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}

/** 0.75 ratio: 75%; 20.5 hours: 20.5 h; 9 days: 9 days. */
function measure(n: number, unit: string | undefined): string {
  if (unit === 'ratio') return `${Math.round(n * 100)}%`;
  const rounded = Math.round(n * 10) / 10;
  return unit === 'hours' ? `${rounded} h` : unit === 'days' ? `${rounded} days` : String(rounded);
}

/** `Acme Cloud GmbH (acme-cloud), Activation phase`. */
function atRiskLine(entry: unknown): string | undefined {
  const o = (entry ?? {}) as Record<string, unknown>;
  const id = scalar(o.partnerId);
  const name = scalar(o.name);
  const label = name && id && name !== id ? `${name} (${id})` : (name ?? id);
  const phase = new Fields(o).text('phase');
  return label && (phase && Object.hasOwn(PHASES, phase) ? `${label}, ${PHASES[phase as Phase].name} phase` : label);
}

/** `Product training (Foundation phase, 4 partners)` from `{ milestoneId, phase, partners }`. */
function bottleneckLine(b: Record<string, unknown>): string | undefined {
  const label = item(b.milestoneId);
  const f = new Fields(b);
  const partners = f.text('partners');
  const detail = [phaseOf(f) && phaseName(f), partners && `${partners} partner${partners === '1' ? '' : 's'}`].filter(Boolean);
  return label && (detail.length ? `${label} (${detail.join(', ')})` : label);
}

/** A buffered ping `{ kind, data }` reads as that message's title; anything else as a list item. */
function digestLine(entry: unknown, ctx: Ctx): string | undefined {
  const { kind, data } = (entry ?? {}) as { kind?: unknown; data?: unknown };
  if (typeof kind !== 'string' || kind === 'manager_digest' || !Object.hasOwn(TEMPLATES, kind)) return item(entry);
  const fields = new Fields(data && typeof data === 'object' ? (data as Record<string, unknown>) : {});
  return pick(TEMPLATES[kind as NotificationKind], 'team')({ ...ctx, f: fields }).title;
}

function phaseOf(f: Fields): (typeof PHASES)[Phase] | undefined {
  const phase = f.text('phase');
  return phase && Object.hasOwn(PHASES, phase) ? PHASES[phase as Phase] : undefined;
}

/** "Foundation phase", or "current phase" when the data does not say. */
function phaseName(f: Fields): string {
  return `${phaseOf(f)?.name ?? 'current'} phase`;
}

function opportunityLabel(f: Fields, capital = false): string {
  const id = f.text('opportunityId');
  const account = f.text('account');
  const base = id ? `opportunity ${id}` : 'an opportunity';
  const label = account ? `${base} (${account})` : base;
  return capital ? label.charAt(0).toUpperCase() + label.slice(1) : label;
}

/** Joins the present parts with single spaces. */
function words(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => Boolean(p)).join(' ');
}

// ---------------------------------------------------------------------------
// Reading template data
// ---------------------------------------------------------------------------

const DATE = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

class Fields {
  constructor(private readonly data: Record<string, unknown>) {}

  text(name: string): string | undefined {
    return scalar(this.data[name]);
  }

  /** A title, or an id such as `portal_access` made readable. */
  title(name: string): string | undefined {
    return item(this.data[name]);
  }

  object(name: string): Record<string, unknown> {
    const value = this.data[name];
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  entries(name: string): unknown[] {
    const value = this.data[name];
    return Array.isArray(value) ? value : [];
  }

  list(name: string, fallback: string[] = []): string[] {
    const items = this.entries(name).map(item).filter((s): s is string => s !== undefined);
    return items.length ? items : fallback;
  }

  flag(name: string): boolean {
    return this.data[name] === true;
  }

  date(name: string): string | undefined {
    const value = this.data[name];
    const ms = typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : NaN;
    return Number.isNaN(ms) ? undefined : DATE.format(ms);
  }

  /** Only http(s) links: never `javascript:` or the like. */
  url(name: string, label: string): Content['link'] {
    const value = this.text(name);
    return value && /^https?:\/\/[^\s]+$/i.test(value) ? { label, url: value } : undefined;
  }

  money(): string | undefined {
    const amount = this.data.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return undefined;
    const currency = this.text('currency');
    return currency && /^[A-Z]{3}$/.test(currency)
      ? new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount)
      : new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(amount);
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function item(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return scalar(o.title) ?? scalar(o.text) ?? item(o.id);
  }
  const text = scalar(value);
  return text && /^[a-z0-9]+(_[a-z0-9]+)+$/.test(text) ? humanize(text) : text;
}

function humanize(id: string): string {
  const spaced = id.replace(/_/g, ' ').replace(/\b(\d+) day\b/, '$1-day');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

function filled(c: Content): List[] {
  return (c.lists ?? []).filter((l) => l.items.length > 0);
}

function toText(c: Content, footer: string): string {
  const parts = [c.lead];
  for (const list of filled(c)) {
    const lines = list.items.map((it, i) => `${list.numbered ? `${i + 1}.` : '-'} ${it}`);
    parts.push(`${list.heading}:\n${lines.join('\n')}`);
  }
  if (c.link) parts.push(`${c.link.label}: ${c.link.url}`);
  if (c.next) parts.push(c.next);
  parts.push(`--\n${footer}`);
  return `${parts.join('\n\n')}\n`;
}

function toHtml(c: Content, footer: string): string {
  const body = [`<h1 style="font-size:20px;margin:0 0 16px">${html(c.title)}</h1>`, `<p>${html(c.lead)}</p>`];
  for (const list of filled(c)) {
    const tag = list.numbered ? 'ol' : 'ul';
    body.push(`<p><strong>${html(list.heading)}</strong></p>`);
    body.push(`<${tag}>${list.items.map((it) => `<li>${html(it)}</li>`).join('')}</${tag}>`);
  }
  if (c.link) body.push(`<p><a href="${html(c.link.url)}">${html(c.link.label)}</a></p>`);
  if (c.next) body.push(`<p>${html(c.next)}</p>`);
  body.push(`<p style="font-size:12px;color:#6b7280">${html(footer)}</p>`);
  return [
    '<!doctype html>',
    '<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;max-width:560px;margin:0 auto;padding:16px">',
    ...body,
    '</body></html>',
  ].join('\n');
}

function toBlocks(c: Content, input: TemplateInput): KnownBlock[] {
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(c.title, 150), emoji: true } },
    section(mrkdwn(c.lead)),
  ];
  for (const list of filled(c)) {
    const lines = list.items.map((it, i) => `${list.numbered ? `${i + 1}.` : '•'} ${mrkdwn(it)}`);
    blocks.push(section(`*${mrkdwn(list.heading)}*\n${lines.join('\n')}`));
  }
  if (c.link) blocks.push(section(`<${c.link.url}|${mrkdwn(c.link.label)}>`));
  if (c.next) blocks.push(section(mrkdwn(c.next)));
  const footer = `${c.footer ? mrkdwn(c.footer) : `Partner \`${mrkdwn(input.partnerId)}\``} · ${input.kind}`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer }] });
  return blocks;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Slack's three control characters; everything else is literal text. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
