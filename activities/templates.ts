/**
 * What each notification says: for every kind a short message that says who,
 * what, by when and what to do next, rendered as a plain-text + HTML e-mail or
 * as a Slack Block Kit message. E-mail speaks to the partner (and the weekly
 * digest to the program lead), Slack to the vendor team; the kinds sent on both
 * channels have a version for each.
 *
 * The templates read the typed data of their kind (workflows/notifications.ts),
 * built by the domain from the partner's pinned playbook: every number, date,
 * milestone title and link comes from there. Dates are shown in the recipient's
 * time zone: e-mails in the partner's (profile.timezone), Slack messages in each
 * reader's own through Slack's date formatting.
 */
import type { KnownBlock } from '@slack/web-api';
import type {
  DigestEntry,
  DigestIndicator,
  Message,
  MessageOf,
  MilestoneRef,
  NotificationKind,
  OpportunityRef,
  PartnerInfo,
  ProgramInfo,
  RiskReason,
} from '../workflows/notifications';
import type { PartyRef } from '../workflows/accounts/types';
import type { LifecyclePhase, Phase } from '../workflows/types';

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

interface Link {
  label: string;
  url: string;
}

/**
 * One message before it is rendered for a channel. Plain text throughout, with
 * dates as markers (`date`, `dateTime`) that each channel writes its own way.
 */
interface Content {
  /** E-mail subject, Slack header. */
  title: string;
  lead: string;
  /** Each list is left out while it has no items. */
  lists?: List[];
  links?: (Link | undefined)[];
  next?: string;
  /** Who the message is about, when it is not one partner (e-mail footer, Slack context). */
  footer?: string;
}

type Audience = 'partner' | 'team';
type Compose<K extends NotificationKind> = (m: MessageOf<K>) => Content;
/** One message for both audiences, or a version for each. */
type Versions<K extends NotificationKind> = Compose<K> | { partner: Compose<K>; team: Compose<K> };

/** What an e-mail carries beyond its message: the recipient's own preferences link. */
export interface EmailOptions {
  /** The recipient's signed unsubscribe link (no link without PREFERENCES_SECRET). */
  unsubscribeUrl?: string;
  /** Essential messages reach recipients who unsubscribed: the footer says so. */
  essential?: boolean;
}

interface Footer {
  text: string;
  link?: { before: string; label: string; url: string };
}

export function renderEmail(message: Message, options: EmailOptions = {}): RenderedEmail {
  const content = compose(message, 'partner');
  const partner = partnerOf(message);
  const relation = partner?.phase === 'graduated' ? 'is a partner in' : 'is onboarding to';
  const footer: Footer = {
    text: content.footer ?? `You receive this e-mail because ${partner?.name ?? 'your company'} ${relation} the ${message.program.name}.`,
    ...(options.unsubscribeUrl
      ? {
          link: options.essential
            ? {
                before: 'This message is essential: it reaches you even if you unsubscribe from reminders.',
                label: 'Your e-mail preferences',
                url: options.unsubscribeUrl,
              }
            : { before: 'Too many e-mails?', label: 'Unsubscribe or set quiet hours', url: options.unsubscribeUrl },
        }
      : {}),
  };
  const zone = partnerOf(message)?.timezone ?? 'UTC';
  return {
    subject: plainDates(content.title, zone),
    text: plainDates(toText(content, footer), zone),
    html: plainDates(toHtml(content, footer), zone),
  };
}

export function renderSlack(message: Message): RenderedSlack {
  const content = compose(message, 'team');
  return { text: slackDates(mrkdwn(`${content.title}: ${content.lead}`)), blocks: toBlocks(content, message) };
}

function compose(message: Message, audience: Audience): Content {
  const versions = TEMPLATES[message.kind] as Versions<NotificationKind>;
  const fn = typeof versions === 'function' ? versions : versions[audience];
  return fn(message as MessageOf<NotificationKind>);
}

function partnerOf(message: Message): PartnerInfo | undefined {
  return 'partner' in message ? message.partner : undefined;
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

const PHASE_NAMES: Record<LifecyclePhase, string> = {
  foundation: 'Foundation',
  activation: 'Activation',
  momentum: 'Momentum',
  graduated: 'Graduated',
  offboarded: 'Offboarded',
};

/** The seed's goal of each phase, in the words every segment shares; the steps list says what it takes. */
const PHASE_GOALS: Record<Phase, string> = {
  foundation: 'know our business, get access to every system and finish the baseline training',
  activation: 'your first co-selling motion with our team',
  momentum: 'close your first deal or build solid pipeline, and operate on your own',
};

/** `Foundation phase`; `graduated`, `offboarded` (no longer a phase of onboarding). */
const phaseName = (phase: LifecyclePhase) =>
  phase === 'graduated' || phase === 'offboarded' ? PHASE_NAMES[phase].toLowerCase() : `${PHASE_NAMES[phase]} phase`;

/** `1 day`, `3 days`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a, b and c`. */
function and(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function cadence(days: number): string {
  const named: Record<number, string> = { 7: 'weekly', 14: 'fortnightly', 30: 'monthly', 90: 'quarterly', 365: 'yearly' };
  return named[days] ?? `${days}-day`;
}

/** `Acme's`, `Northwind Systems'`. */
function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `Globex (opp-1)`, or the id alone. */
function opportunityName(o: OpportunityRef): string {
  return o.account ? `${o.account} (${o.opportunityId})` : o.opportunityId;
}

function money(amount: number | undefined, program: ProgramInfo): string | undefined {
  if (amount === undefined) return undefined;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: program.currency, maximumFractionDigits: 0 }).format(amount);
}

/** `opportunity Globex (opp-1), $40,000`. */
function opportunityLabel(o: OpportunityRef, program: ProgramInfo): string {
  const amount = money(o.amount, program);
  return `opportunity ${opportunityName(o)}${amount ? `, ${amount}` : ''}`;
}

/** `Product training, due Mon 28 Dec 2026`. */
function due(m: MilestoneRef): string {
  return `${m.title}, due ${date(m.dueAt)}`;
}

/** A step on the partner's plan: `Product training, by Mon 28 Dec 2026` (`with us` when we own it). */
function step(m: MilestoneRef): string {
  return `${m.title}, by ${date(m.dueAt)}${m.owner === 'vendor' ? ' (with us)' : ''}`;
}

function addHours(isoDate: string, hours: number): string {
  return new Date(Date.parse(isoDate) + hours * 3_600_000).toISOString();
}

function riskLine(r: RiskReason, program: ProgramInfo): string {
  switch (r.code) {
    case 'milestone_overdue':
      return `${r.milestone.title} overdue by ${count(r.overdueDays, 'day')} (due ${date(r.milestone.dueAt)})`;
    case 'extensions_exhausted':
      return `${phaseName(r.phase)} checkpoint undecided after ${count(r.extensions, 'default extension')}${
        r.gaps.length ? `; still open: ${and(r.gaps.map((g) => g.title))}` : ''
      }`;
    case 'opportunity_escalated':
      return `${capitalize(opportunityLabel(r.opportunity, program))} unanswered for ${r.hours} hours (registered ${dateTime(r.registeredAt)})`;
    case 'review_overdue':
      return `Business review overdue by ${count(r.overdueDays, 'day')} (due ${date(r.dueAt)})`;
    case 'inactive':
      return `No activity for more than ${r.days} days (the last on ${date(r.since)})`;
  }
}

/** `Initech (opp-2), $40,000, registered Mon, 7 Dec 2026, 10:00 CET`. */
function registration(o: OpportunityRef & { registeredAt: string | null }, program: ProgramInfo): string {
  const amount = money(o.amount, program);
  return `${opportunityName(o)}${amount ? `, ${amount}` : ''}${o.registeredAt ? `, registered ${dateTime(o.registeredAt)}` : ''}`;
}

/** The other side of a conflict, for the team: short (`Contoso Partners`, `our direct team`) and in full. */
function otherSide(p: PartyRef, program: ProgramInfo): { short: string; full: string } {
  if (p.kind === 'direct') {
    return { short: 'our direct team', full: `Our direct team (${p.owner}${p.crmId ? `, CRM ${p.crmId}` : ''}), owner since ${date(p.since)}` };
  }
  const amount = money(p.amount, program);
  const ids = p.opportunityIds.length ? p.opportunityIds.join(', ') : 'no open registration';
  return {
    short: p.name,
    full: `${p.name} (\`${p.partnerId}\`): ${p.account ? `${p.account} (${ids})` : ids}${amount ? `, ${amount}` : ''}, registered ${dateTime(p.registeredAt)}`,
  };
}

/** Why a conflict ended: a manager's decision, or what ended it. */
function decision(by: string, other: PartyRef): string {
  if (by === 'registration withdrawn') return `: ${other.kind === 'partner' ? other.name : 'the other side'} withdrew their registration`;
  if (by === 'direct ownership ended') return ': our direct team no longer owns it';
  return `, decided by ${by}`;
}

function link(label: string, url: string | undefined): Link | undefined {
  return url ? { label, url } : undefined;
}

/** How a partner gets help: their manager first, then the escalation path. */
function askUs({ partner, program }: { partner: PartnerInfo; program: ProgramInfo }): string {
  const { escalation } = program;
  const desk = [escalation.email, escalation.phone].filter(Boolean).join(', ');
  return `Stuck or unsure? Reply to this e-mail, or write to ${partner.manager.name}, your partner manager, at ${partner.manager.email}. If you cannot reach them: ${escalation.name}, ${desk}.`;
}

function portal(program: ProgramInfo): Link {
  return { label: 'Open the partner portal', url: program.portalUrl };
}

function officeHours(program: ProgramInfo): Link | undefined {
  return link('Join the weekly office hours', program.officeHoursUrl);
}

/**
 * Reminders due at the same moment, in one e-mail (workflows/domain/bundles.ts):
 * each step with what it is required for, and its due date unless they share one.
 */
function reminders(m: MessageOf<'milestone_reminder'>, steps: MilestoneRef[], overdue: boolean): Content {
  const dueAt = steps.every((ref) => ref.dueAt === steps[0]!.dueAt) ? steps[0]!.dueAt : null;
  const line = (ref: MilestoneRef) =>
    `${dueAt ? ref.title : due(ref)}${ref.required ? ` (required to complete the ${phaseName(ref.phase)})` : ''}`;
  const these = `these ${count(steps.length, 'step')}`;
  if (overdue) {
    return {
      title: `Overdue: ${count(steps.length, 'step')} still open`,
      lead: `${capitalize(these)} are past their due date${dueAt ? ` of ${date(dueAt)}` : 's'} and still open.`,
      lists: [{ heading: 'Still open', items: steps.map(line) }],
      links: [portal(m.program)],
      next: askUs(m),
    };
  }
  return {
    title: `Reminder: ${count(steps.length, 'step')} due ${dueAt ? date(dueAt) : 'soon'}`,
    lead: `A quick reminder: ${these} are due ${dueAt ? `on ${date(dueAt)}` : 'soon'}.`,
    lists: [{ heading: 'Due', items: steps.map(line) }],
    links: [portal(m.program)],
    next: askUs(m),
  };
}

/** Who the partner's manager is, for the escalation channel. */
function managerLine(partner: PartnerInfo): string {
  return `Partner manager: ${partner.manager.name} (${partner.manager.email}).`;
}

// ---------------------------------------------------------------------------
// The messages
// ---------------------------------------------------------------------------

const TEMPLATES: { [K in NotificationKind]: Versions<K> } = {
  welcome: (m) => {
    const { planDays, phaseDays } = m.data;
    const ends = { foundation: phaseDays.foundation, activation: phaseDays.foundation + phaseDays.activation };
    return {
      title: `Welcome to the ${m.program.name}, ${m.partner.name}`,
      lead:
        `Welcome aboard! Over the next ${planDays} days we take you from signature to your first deal, one step at a time: ` +
        `Foundation (days 1-${ends.foundation}), Activation (days ${ends.foundation + 1}-${ends.activation}) and Momentum ` +
        `(days ${ends.activation + 1}-${planDays}). ${m.partner.manager.name} is your partner manager and your first contact for anything.`,
      lists: [
        { heading: 'Your first week', items: m.data.yourSteps.map(step), numbered: true },
        { heading: 'What we set up for you this week', items: m.data.ourSteps.map(step) },
      ],
      links: [portal(m.program), officeHours(m.program)],
      next: askUs(m),
    };
  },
  access_overdue: (m) => ({
    title: `${m.partner.name}: first-week setup still open after ${m.data.hours} hours`,
    lead: `${m.partner.name} signed ${m.data.hours} hours ago and does not have everything to get started yet.`,
    lists: [{ heading: 'Still open', items: m.data.open.map(due) }],
    next: `Next step: close these with ${m.partner.name} today; nothing else can start without them.`,
  }),
  week2_checkin: (m) => ({
    title: `${m.partner.name}: week-2 check-in call due`,
    lead: `Time for the end-of-week-2 check-in call with ${m.partner.name} (day ${m.partner.day}, ${phaseName(m.partner.phase)}).`,
    lists: [
      {
        heading: 'Agenda',
        items: [
          'Answer their questions and remove blockers',
          'Share target account lists and competitive battle cards',
          ...(m.data.accounts.length ? [`Review the accounts they identified: ${and(m.data.accounts)}`] : ['Help them identify two or three accounts where they have relationships']),
          'Introduce the product or technical team if useful',
        ],
      },
      { heading: 'Open and due within a week', items: m.data.open.map(due) },
    ],
    next: 'Next step: book the call if it is not in the calendar yet.',
  }),
  milestone_reminder: (m) => {
    const { milestone, overdue, also } = m.data;
    if (also?.length) return reminders(m, [milestone, ...also], overdue);
    const why = milestone.required ? ` It is required to complete the ${phaseName(milestone.phase)}.` : '';
    return {
      title: overdue ? `Overdue: ${milestone.title}` : `Reminder: ${milestone.title} is due ${date(milestone.dueAt)}`,
      lead: overdue
        ? `${milestone.title} was due on ${date(milestone.dueAt)} and is still open.${why}`
        : `A quick reminder: ${milestone.title} is due on ${date(milestone.dueAt)}.${why}`,
      links: [portal(m.program)],
      next: askUs(m),
    };
  },
  training_stalled_partner: (m) => {
    const { training } = m.data;
    return {
      title: `Pick up where you left off: ${training.title}`,
      lead: `${training.title} was due on ${date(training.dueAt)} and is not finished yet. One module today keeps you on track for your first opportunity.`,
      links: [portal(m.program), officeHours(m.program)],
      next: `Short on time or blocked? Reply to this e-mail and ${m.partner.manager.name} will find a faster path with you.`,
    };
  },
  training_stalled_manager: (m) => ({
    title: `${m.partner.name}: ${m.data.training.title} still not done`,
    lead: `${m.partner.name} has not finished ${m.data.training.title}, due ${date(m.data.training.dueAt)}, ${count(m.data.overdueDays, 'day')} later and despite a reminder.`,
    lists: [
      {
        heading: 'Suggested next steps',
        items: [
          'Call them and ask what is in the way',
          m.program.officeHoursUrl ? 'Offer the training fast track or the weekly office hours' : 'Offer the training fast track or a live Q&A session',
          'Tie the training to a concrete opportunity',
        ],
      },
    ],
    links: [officeHours(m.program)],
  }),
  registration_gated: (m) => {
    const { opportunity, missing } = m.data;
    const gates = and(missing.map((g) => g.title));
    return {
      title: `Finish ${gates} to register ${opportunityName(opportunity)}`,
      lead: `Thanks for registering ${opportunityLabel(opportunity, m.program)}! Deal registration opens once ${gates} ${missing.length === 1 ? 'is' : 'are'} complete, so we could not accept it yet.`,
      lists: [
        {
          heading: 'Next steps',
          items: [...missing.map((g) => `Complete ${due(g)}`), `Register ${opportunityName(opportunity)} again: nothing is lost`],
          numbered: true,
        },
      ],
      links: [portal(m.program)],
      next: askUs(m),
    };
  },
  opportunity_sla_manager: (m) => ({
    title: `${m.partner.name}: ${opportunityName(m.data.opportunity)} waits for an answer`,
    lead: `${m.partner.name} registered ${opportunityLabel(m.data.opportunity, m.program)} on ${dateTime(m.data.registeredAt)}, ${m.data.hours} hours ago, and has not heard back. We promise an answer within ${m.data.responseHours} hours.`,
    next: 'Next step: acknowledge it, assign an account executive and send the deal resources (proposal templates, pricing, ROI calculator).',
  }),
  opportunity_sla_escalation: (m) => ({
    title: `Escalation: ${possessive(m.partner.name)} ${opportunityName(m.data.opportunity)} unanswered for ${m.data.hours} hours`,
    lead: `${capitalize(opportunityLabel(m.data.opportunity, m.program))} from ${m.partner.name} was registered on ${dateTime(m.data.registeredAt)} and has had no answer for ${m.data.hours} hours; we promise one within ${m.data.responseHours}. ${managerLine(m.partner)}`,
    next: 'Next step: someone acknowledge it and assign an owner today.',
  }),
  first_deal_support: (m) => ({
    title: `${m.partner.name} registered their first opportunity`,
    lead: `${m.partner.name} registered ${opportunityLabel(m.data.opportunity, m.program)}: their first deal. Prioritise it and assign your best resources.`,
    lists: [
      {
        heading: 'First deal support',
        items: [
          `Answer the registration by ${dateTime(addHours(m.data.registeredAt, m.data.responseHours))}`,
          'Assign an account executive or partner sales rep',
          'Join the first customer call or meeting with the partner',
          'Send deal resources: proposal templates, pricing, ROI calculator',
          'Fast-track internal approvals where possible',
        ],
      },
    ],
  }),
  checkpoint_summary: (m) => {
    const { phase, gaps, decideBy, defaultExtensionDays, autoExtensionsLeft } = m.data;
    const otherwise = autoExtensionsLeft
      ? `Without a decision the phase is extended by ${defaultExtensionDays} days (${count(autoExtensionsLeft, 'default extension')} left).`
      : 'Without a decision the partner is marked at risk: no default extension is left.';
    return {
      title: `${m.partner.name}: ${phaseName(phase)} checkpoint needs a decision`,
      lead: `${m.partner.name} reached the end of the ${phaseName(phase)} on ${date(m.data.phaseDeadline)} with ${count(gaps.length, 'required milestone')} open.`,
      lists: [{ heading: 'Gaps', items: gaps.map(due) }],
      next: `Next step: decide by ${dateTime(decideBy)}: advance, extend or offboard, in the console or with \`onboarding decide ${m.partner.partnerId}\`. ${otherwise}`,
    };
  },
  checkpoint_extended: (m) => {
    const { phase, days, gaps, autoExtensionsLeft } = m.data;
    return {
      title: `${m.partner.name}: ${phaseName(phase)} extended by ${days} days`,
      lead: `No checkpoint decision arrived, so the ${phaseName(phase)} was extended by ${days} days, until ${date(m.data.phaseDeadline)}.`,
      lists: [{ heading: 'Open gaps', items: gaps.map(due) }],
      next: `Next step: agree with ${m.partner.name} how to close the gaps. ${
        autoExtensionsLeft ? `${count(autoExtensionsLeft, 'default extension')} left; after that the partner is at risk.` : 'No default extension is left: next time the partner is at risk.'
      }`,
    };
  },
  phase_advanced: (m) => ({
    title: `Next up: the ${phaseName(m.data.to)}`,
    lead: `Great work, ${m.partner.name}! You are through the ${phaseName(m.data.from)}. The ${phaseName(m.data.to)} runs ${m.data.phaseDays} days, until ${date(m.data.phaseDeadline)}. The goal: ${PHASE_GOALS[m.data.to]}.`,
    lists: [{ heading: 'What comes next', items: m.data.next.map(step), numbered: true }],
    links: [portal(m.program)],
    next: askUs(m),
  }),
  at_risk: (m) => ({
    title: `At risk: ${m.partner.name}`,
    lead: `${m.partner.name} (day ${m.data.day}, ${phaseName(m.data.phase)}) is at risk of stalling. ${managerLine(m.partner)}`,
    lists: [{ heading: 'Why', items: m.data.reasons.map((r) => riskLine(r, m.program)) }],
    next: `Next step: ${m.partner.manager.name} calls them this week and agrees a recovery plan.`,
  }),
  vendor_milestone_due: (m) => ({
    title: `${m.partner.name}: ${m.data.milestone.title} due ${date(m.data.milestone.dueAt)}`,
    lead: `${m.data.milestone.title} for ${m.partner.name} is ours to deliver, by ${date(m.data.milestone.dueAt)} (${phaseName(m.data.milestone.phase)}${m.data.milestone.required ? ', required at its checkpoint' : ''}).`,
    next: `Next step: deliver it before it is due; ${possessive(m.partner.name)} plan shows it open until it is recorded.`,
  }),
  first_deal_celebration: {
    partner: (m) => {
      const amount = money(m.data.opportunity.amount, m.program);
      const more = m.data.moreOpportunitiesNeeded;
      return {
        title: 'Congratulations on your first deal!',
        lead: `${m.partner.name}, you closed your first deal with us on day ${m.data.day}: ${opportunityName(m.data.opportunity)}${amount ? `, ${amount}` : ''}. It is the milestone that matters most. Thank you!`,
        lists: [
          {
            heading: 'Keep the momentum',
            items: [
              more ? `Register ${count(more, 'more opportunity', 'more opportunities')}: the next step on your plan` : 'Keep registering the opportunities you find',
              'Tell us what helped and what slowed you down',
            ],
          },
        ],
        next: askUs(m),
      };
    },
    team: (m) => ({
      title: `:tada: ${m.partner.name} closed their first deal`,
      lead: `${capitalize(opportunityLabel(m.data.opportunity, m.program))} is won, on day ${m.data.day}.`,
      next: 'Next step: celebrate it with the partner and thank everyone who helped.',
    }),
  },
  deal_lost_followup: (m) => {
    const more = m.data.moreOpportunitiesNeeded;
    return {
      title: `${m.partner.name} lost ${opportunityName(m.data.opportunity)}: keep the momentum`,
      lead: `${m.partner.name} lost ${opportunityLabel(m.data.opportunity, m.program)}${m.data.reason ? ` (${m.data.reason})` : ''} before their first win: the moment partners stall.`,
      lists: [
        { heading: 'Their open pipeline', items: m.data.openPipeline.map((o) => capitalize(opportunityLabel(o, m.program))) },
        {
          heading: 'Help them now',
          items: [
            more ? `Qualify ${count(more, 'backup opportunity', 'backup opportunities')} with them` : 'Qualify backup opportunities with them',
            'Go through the target account list together',
            'Offer deal coaching for the next one',
          ],
        },
      ],
    };
  },
  certification_recognition: {
    partner: (m) => ({
      title: `Congratulations: you passed the ${m.data.track} certification!`,
      lead: `${m.partner.name}, you passed the ${m.data.track} certification${m.data.score !== undefined ? ` with ${m.data.score}%` : ''}. You are ready to engage customers on your own, with our team as backstop.`,
      links: [link('Download your certificate', m.program.certificatesUrl)],
      next: askUs(m),
    }),
    team: (m) => ({
      title: `:trophy: ${m.partner.name} passed the ${m.data.track} certification`,
      lead: `${m.partner.name} completed ${m.data.certification.title}${m.data.score !== undefined ? ` with ${m.data.score}%` : ''}.`,
      next: 'Next step: recognise it: a note to the partner and a shout-out in the partner channel.',
    }),
  },
  business_review_scheduled: {
    partner: (m) => ({
      title: `Your ${m.data.planDays}-day business review`,
      lead: `You are nearly through onboarding. Let's look back at your first ${m.data.planDays} days together and plan the next quarter. We would like to meet by ${date(m.data.review.dueAt)}.`,
      lists: [{ heading: 'Please bring your thoughts on', items: ['What went well?', 'What was confusing or slow?', 'What do you need to scale?'] }],
      next: `${m.partner.manager.name} will send the invitation.`,
    }),
    team: (m) => ({
      title: `${m.partner.name}: schedule the ${m.data.planDays}-day business review`,
      lead: `${m.data.review.title} with ${m.partner.name} is due by ${date(m.data.review.dueAt)}.`,
      lists: [{ heading: 'Cover', items: ['What went well, what was slow, what they need to scale', 'The joint business plan for the next quarter'] }],
      next: 'Next step: send the invitation.',
    }),
  },
  survey_request: (m) => ({
    title: 'Two minutes: how was your onboarding?',
    lead: `We want onboarding to get better for every partner. How would you rate yours from 0 to 10, and what is one thing we should change? Please answer by ${date(m.data.closesAt)}.`,
    links: [{ label: 'Take the two-minute survey', url: m.program.surveyUrl }],
    next: 'Or simply reply to this e-mail with your score and a comment.',
  }),
  graduated: {
    partner: (m) => ({
      title: `You are fully onboarded, ${m.partner.name}!`,
      lead: `Congratulations: you completed onboarding on day ${m.data.day} of your ${m.data.planDays}-day plan. From here on we work together as active partners.`,
      lists: [
        {
          heading: 'From here',
          items: [
            `A ${cadence(m.data.reviewCadenceDays)} business review with ${m.partner.manager.name}, the first by ${date(m.data.nextReviewAt)}`,
            'Keep registering new opportunities as they come',
            'Join our partner community events',
          ],
        },
      ],
      next: askUs(m),
    }),
    team: (m) => ({
      title: `:mortar_board: ${m.partner.name} graduated`,
      lead: `${m.partner.name} completed onboarding on day ${m.data.day} of ${m.data.planDays}.`,
      next: `Next step: move them to active partner management; the first ${cadence(m.data.reviewCadenceDays)} business review is due by ${date(m.data.nextReviewAt)}.`,
    }),
  },
  community_invitation: (m) => ({
    title: `Join the ${m.program.name} community`,
    lead: `Now that you are fully onboarded, meet the other partners and our team in the ${m.program.name} community: user groups, the monthly partner webinar and partner success office hours.`,
    lists: [{ heading: 'Channels to join', items: m.program.community.channels }],
    links: [{ label: 'Join the community', url: m.program.community.url }],
    next: askUs(m),
  }),
  recurring_review_reminder: (m) => ({
    title: `${m.partner.name}: ${cadence(m.data.cadenceDays)} business review due`,
    lead: `Business review ${m.data.cycle} with ${m.partner.name} is due by ${date(m.data.dueAt)}.`,
    lists: [{ heading: 'Cover', items: ['Pipeline and revenue since the last review', 'The joint business plan for the next quarter'] }],
    next: 'Next step: send the invitation.',
  }),
  quarterly_plan_request: {
    partner: (m) => ({
      title: `Your plan for the next quarter, for our review by ${date(m.data.reviewAt)}`,
      lead: `Our ${cadence(m.data.cadenceDays)} business review with you is due by ${date(m.data.reviewAt)}. Please bring your view of the next quarter: it is where we agree our joint business plan.`,
      lists: [
        {
          heading: 'Please bring',
          items: ['The opportunities you expect to register and close next quarter', 'Where you want our help: marketing, pre-sales, training', 'What slowed you down since our last review'],
        },
      ],
      next: `${m.partner.manager.name} will send the invitation.`,
    }),
    team: (m) => ({
      title: `${m.partner.name}: agree the next quarter's joint plan at review ${m.data.cycle}`,
      lead: `The ${cadence(m.data.cadenceDays)} review with ${m.partner.name} is due by ${date(m.data.reviewAt)}: it is where you agree the joint business plan for the next quarter. They were asked to bring their view.`,
      next: 'Next step: record the plan once agreed (joint_business_plan_created).',
    }),
  },
  manager_handover: (m) => ({
    title: `You now manage ${m.partner.name}`,
    lead: `${m.data.by} handed ${m.partner.name} over to you from ${m.data.from.name} (${m.data.from.email}). They are on day ${m.partner.day}, ${phaseName(m.partner.phase)}${m.data.awaitingDecision ? ', and a checkpoint waits for your decision' : ''}.`,
    lists: [
      { heading: 'Required and due within a week, or overdue', items: m.data.open.map(due) },
      { heading: 'Open opportunities', items: m.data.openOpportunities.map((o) => capitalize(opportunityLabel(o, m.program))) },
    ],
    next: `Next step: introduce yourself to ${m.partner.name} this week.`,
  }),
  success_handover: {
    partner: (m) => ({
      title: `Meet ${m.data.successManager.name}, your partner success manager`,
      lead: `Now that you are fully onboarded, ${m.data.successManager.name} (${m.data.successManager.email}) takes over from ${m.data.onboardingManager.name} as your partner success manager: your contact for growing the partnership${m.data.nextReviewAt ? `, and for our first business review by ${date(m.data.nextReviewAt)}` : ''}.`,
      next: 'Reply to this e-mail to say hello.',
    }),
    team: (m) => ({
      title: `${m.partner.name} is yours: ongoing partner success`,
      lead: `${m.partner.name} graduated, and you take them over from ${m.data.onboardingManager.name}${m.data.nextReviewAt ? `; the first business review is due by ${date(m.data.nextReviewAt)}` : ''}.`,
      next: 'Next step: introduce yourself and agree the next quarter\'s joint business plan.',
    }),
  },
  activity_dropped: (m) => ({
    title: `${m.partner.name} has gone quiet`,
    lead: `No activity from ${m.partner.name} for more than ${m.data.days} days: the last was on ${date(m.data.since)}. Partners who stop after onboarding rarely come back on their own.`,
    lists: [
      {
        heading: 'Suggested next steps',
        items: ['Call them: what changed, what do they need?', 'Invite them to the next partner community event', 'Bring the next quarter\'s joint business plan forward'],
      },
    ],
  }),
  tier_changed: {
    partner: (m) => ({
      title: m.data.to ? `You are now a ${m.data.to.name} partner` : `Your ${m.data.from?.name ?? 'partner'} tier has lapsed`,
      lead: m.data.to
        ? `Congratulations, ${m.partner.name}: with ${count(m.data.registered, 'registered opportunity', 'registered opportunities')}, ${money(m.data.wonRevenue, m.program)} won and ${count(m.data.certifications, 'certification')}, you reached the ${m.data.to.name} tier of the ${m.program.name}.`
        : `${m.partner.name}, your figures no longer meet the ${m.data.from?.name ?? 'partner'} tier of the ${m.program.name}. ${m.partner.manager.name} will help you get back.`,
      links: [portal(m.program)],
      next: askUs(m),
    }),
    team: (m) => ({
      title: `${m.partner.name}: ${m.data.from?.name ?? 'no tier'} → ${m.data.to?.name ?? 'no tier'}`,
      lead: `${m.partner.name} has ${count(m.data.registered, 'registered opportunity', 'registered opportunities')}, ${money(m.data.wonRevenue, m.program)} won and ${count(m.data.certifications, 'certification')}.`,
      next: m.data.to ? 'Next step: recognise it with the partner.' : 'Next step: agree with them how to get back.',
    }),
  },
  partner_contacts_missing: (m) => ({
    title: `${m.partner.name}: no partner contacts yet`,
    lead: `${m.partner.name} has no contacts on file, so e-mails to them wait: the ${m.data.waiting.replace(/_/g, ' ')} e-mail has been due since ${dateTime(m.data.since)}.`,
    next: 'Next step: ask them to name their primary contacts (a sales lead and a technical lead) in the partner portal.',
  }),
  manager_digest: (m) => {
    const items = m.data.items.map((entry) => digestLine(entry, m));
    return {
      title: `${m.partner.name}: daily digest`,
      lead: `${count(items.length, 'update')} for ${m.partner.name} since the last digest.`,
      lists: [{ heading: 'Updates', items }],
    };
  },
  offboarded: (m) => ({
    title: `${m.partner.name} offboarded`,
    lead: `Onboarding for ${m.partner.name} ended on day ${m.data.day}: ${m.data.reason}.`,
    next: 'No further reminders will be sent.',
  }),
  account_conflict: (m) => {
    const { data, partner } = m;
    const account = `\`${data.account.label}\``;
    const yours = `${partner.name} (\`${partner.partnerId}\`): ${and(data.yours.map((o) => registration(o, m.program)))}`;
    const other = otherSide(data.other, m.program);
    const managers = [`${partner.manager.name} (${partner.manager.email}) for ${partner.name}`];
    if (data.other.kind === 'partner') managers.push(`${data.other.manager.name} (${data.other.manager.email}) for ${data.other.name}`);
    const sides = { heading: 'Who is on the account', items: data.role === 'holder' ? [yours, other.full] : [other.full, yours] };
    const contacts = { heading: 'Partner managers', items: managers };
    const reason = data.decidedBy ? decision(data.decidedBy, data.other) : '';
    const note = data.note ? ` Note: ${data.note}${/[.!?]$/.test(data.note) ? '' : '.'}` : '';
    switch (data.outcome) {
      case 'rejected':
        return {
          title: `Channel conflict: ${possessive(partner.name)} registration for ${data.account.label} refused`,
          lead: `${partner.name} registered ${account}, but ${other.short} ${data.other.kind === 'direct' ? 'already owns it' : 'registered it first'}. The playbook's rule, first registration wins, refused ${possessive(partner.name)} registration (conflict ${data.conflictId}).`,
          lists: [sides, contacts],
          next: `Next step: ${partner.manager.name} tells ${partner.name} why today (${
            data.other.kind === 'direct' ? 'their e-mail says our direct sales team works the account' : 'their e-mail does not name the other partner'
          }) and helps them move on to another account.`,
        };
      case 'kept':
        return {
          title: `Channel conflict: ${other.short} also ${data.other.kind === 'direct' ? 'claims' : 'registered'} ${data.account.label}; ${partner.name} keeps it`,
          lead: `${capitalize(other.short)} ${data.other.kind === 'direct' ? 'claimed' : 'registered'} ${account} after ${partner.name} did. First registration wins: ${partner.name} keeps the account${data.other.kind === 'partner' ? ` and ${possessive(data.other.name)} registration was refused` : ''} (conflict ${data.conflictId}).`,
          lists: [sides, contacts],
          next:
            data.other.kind === 'direct'
              ? `Next step: ${partner.manager.name} agrees with ${data.other.owner} how the direct team and ${partner.name} work the account.`
              : `Nothing changes for ${partner.name}. Where the two partners meet at the customer, ${partner.manager.name} and ${data.other.manager.name} agree who leads.`,
        };
      case 'awaiting_decision':
        return {
          title: `Channel conflict on ${data.account.label}: decide who keeps it`,
          lead: `${partner.name} and ${other.short} both registered ${account}. The playbook leaves it to a manager: the later registration waits for the decision (conflict ${data.conflictId}).`,
          lists: [sides, contacts],
          next: `Next step: agree who keeps it, then record it with \`onboarding resolve ${data.conflictId} --winner <partnerId or direct>\`, or POST /v1/accounts/${data.account.key}/decisions.`,
        };
      case 'won':
        return {
          title: `Channel conflict on ${data.account.label} decided: ${partner.name} keeps it`,
          lead: `${partner.name} keeps ${account}${reason}.${note} ${data.other.kind === 'partner' ? `${capitalize(possessive(data.other.name))} registration is refused.` : ''}`.trim(),
          lists: [sides],
          next: `Next step: ${partner.manager.name} makes sure ${partner.name} works the account with full support.`,
        };
      case 'lost':
        return {
          title: `Channel conflict on ${data.account.label} decided: ${other.short} keeps it`,
          lead: `${capitalize(other.short)} keeps ${account}${reason}.${note} ${possessive(partner.name)} registration is refused and closed.`,
          lists: [sides],
          next: `Next step: ${partner.manager.name} explains the decision to ${partner.name} and helps them move on to another account.`,
        };
    }
  },
  registration_conflict: (m) => {
    const { data } = m;
    const opportunities = and(data.opportunities.map((o) => opportunityLabel(o, m.program)));
    const elsewhere = data.heldByDirectTeam ? 'our direct sales team' : 'an earlier registration';
    const moveOn = {
      heading: 'What you can do',
      items: [`Talk to ${m.partner.manager.name}: they know the details`, 'Register your next opportunity: your other registrations are not affected'],
    };
    switch (data.status) {
      case 'rejected':
        return {
          title: `We could not accept your registration for ${data.account}`,
          lead: data.afterReview
            ? `We reviewed the overlapping registrations for ${data.account}: the account ${data.heldByDirectTeam ? 'stays with our direct sales team' : 'goes to another registration'}, so we cannot accept your registration of ${opportunities}. We are sorry for the back and forth.`
            : data.heldByDirectTeam
              ? `Thanks for registering ${opportunities}. ${data.account} is an account our direct sales team already works, so we could not accept this registration.`
              : `Thanks for registering ${opportunities}. ${data.account} was already registered in the ${m.program.name} before yours, so we could not accept this registration.`,
          lists: [moveOn],
          links: [portal(m.program)],
          next: askUs(m),
        };
      case 'under_review':
        return {
          title: `Your registration for ${data.account} is under review`,
          lead: `Thanks for registering ${opportunities}. ${data.account} overlaps with ${elsewhere}, so ${m.partner.manager.name} and our partner team decide who works it. We will let you know the outcome.`,
          next: askUs(m),
        };
      case 'accepted':
        return {
          title: `Your registration for ${data.account} is accepted`,
          lead: `Good news: we reviewed the overlapping registrations for ${data.account}, and ${opportunities} is yours to work, with our full support.`,
          links: [portal(m.program)],
          next: askUs(m),
        };
    }
  },
  weekly_digest: (m) => {
    const { data } = m;
    const shown = data.atRisk.map((p) => `${p.name && p.name !== p.partnerId ? `${p.name} (${p.partnerId})` : p.partnerId}, ${phaseName(p.phase)}, manager ${p.manager}`);
    const more = data.atRiskTotal > shown.length ? [`... and ${data.atRiskTotal - shown.length} more`] : [];
    const top = data.topBottleneck;
    const bottleneck = top && `${top.title} (${phaseName(top.phase)}, ${count(top.partners, 'partner')})`;
    return {
      title: `${m.program.name}: weekly onboarding digest of ${date(data.asOf)}`,
      lead: [
        `${count(data.partners, 'partner')} in onboarding reports.`,
        data.atRiskTotal ? `${count(data.atRiskTotal, 'partner')} at risk.` : 'No partner is at risk.',
        bottleneck && `Top bottleneck: ${bottleneck}.`,
      ]
        .filter(Boolean)
        .join(' '),
      lists: [
        { heading: 'Indicators', items: data.indicators.map(indicatorLine) },
        { heading: 'At risk', items: [...shown, ...more] },
      ],
      next: data.atRiskTotal ? 'Next step: each partner manager agrees a recovery plan with their partner this week.' : undefined,
      footer: `Weekly digest of the ${m.program.name} onboarding`,
    };
  },
};

const INDICATOR_LABELS: Record<string, string> = {
  timeToPortalAccessHours: 'Time to portal access',
  timeToFirstTrainingDays: 'Time to first training',
  timeToFirstRegistrationDays: 'Time to first registration',
  timeToFirstEngagementDays: 'Time to first customer engagement',
  completionRate: 'Onboarding completion rate',
  activationRate: 'Partner activation rate',
  timeToFirstDealDays: 'Time to first deal',
  satisfaction: 'Partner satisfaction',
  certificationFirstAttemptPassRate: 'Certification pass rate, first attempt',
  opportunityQualificationRate: 'Opportunities qualified',
  dealCycleDays: 'Deal cycle',
};

/** `Onboarding completion rate: 75% (target > 80%, missed)`. */
function indicatorLine(i: DigestIndicator): string {
  const label = INDICATOR_LABELS[i.id] ?? capitalize(i.id.replace(/[A-Z]/g, (ch) => ` ${ch.toLowerCase()}`));
  const value = i.value === null ? 'no data yet' : measure(i.value, i.unit);
  const detail = [i.target && `target ${i.target.op} ${measure(i.target.value, i.unit)}`, i.met !== null && (i.met ? 'met' : 'missed')].filter(Boolean);
  return `${label}: ${value}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}

/** 0.75 ratio: 75%; 20.5 hours: 20.5 h; 9 days: 9 days; a score: 8.5/10. */
function measure(n: number, unit: DigestIndicator['unit']): string {
  if (unit === 'ratio') return `${Math.round(n * 100)}%`;
  const rounded = Math.round(n * 10) / 10;
  return unit === 'hours' ? `${rounded} h` : unit === 'days' ? `${rounded} days` : `${rounded}/10`;
}

/** A buffered ping reads as that message's title. */
function digestLine(entry: DigestEntry, digest: MessageOf<'manager_digest'>): string {
  const message = { kind: entry.kind, data: entry.data, partner: digest.partner, program: digest.program } as Message;
  return compose(message, 'team').title;
}

// ---------------------------------------------------------------------------
// Dates: markers in the content, written per channel
// ---------------------------------------------------------------------------

/** Private-use characters: they never occur in data, so a marker cannot be forged by a partner's name. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = new RegExp(`${OPEN}(d|t)([^${CLOSE}]+)${CLOSE}`, 'g');

/** A day, shown in the reader's time zone. */
function date(isoDate: string): string {
  return `${OPEN}d${isoDate}${CLOSE}`;
}

/** A day and time, shown in the reader's time zone. */
function dateTime(isoDate: string): string {
  return `${OPEN}t${isoDate}${CLOSE}`;
}

const formatters = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

function formatterFor(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    const base = { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' } as const;
    f = {
      day: new Intl.DateTimeFormat('en-GB', base),
      time: new Intl.DateTimeFormat('en-GB', { ...base, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
    };
    formatters.set(timeZone, f);
  }
  return f;
}

/** E-mail: `Mon, 7 Dec 2026`, `Mon, 7 Dec 2026, 10:00 CET` in the partner's zone. */
function plainDates(text: string, timeZone: string): string {
  const f = formatterFor(timeZone);
  return text.replace(MARKER, (_, kind: string, value: string) => (kind === 'd' ? f.day : f.time).format(Date.parse(value)));
}

/** Slack: each reader sees their own time zone (Slack's date formatting); the fallback is UTC. */
function slackDates(text: string): string {
  return text.replace(MARKER, (marker: string, kind: string, value: string) => {
    const token = kind === 'd' ? '{date_short_pretty}' : '{date_short_pretty} at {time}';
    return `<!date^${Math.floor(Date.parse(value) / 1000)}^${token}|${plainDates(marker, 'UTC')}>`;
  });
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

function filled(c: Content): List[] {
  return (c.lists ?? []).filter((l) => l.items.length > 0);
}

function links(c: Content): Link[] {
  return (c.links ?? []).filter((l): l is Link => l !== undefined);
}

function toText(c: Content, footer: Footer): string {
  const parts = [c.lead];
  for (const list of filled(c)) {
    const lines = list.items.map((it, i) => `${list.numbered ? `${i + 1}.` : '-'} ${it}`);
    parts.push(`${list.heading}:\n${lines.join('\n')}`);
  }
  const urls = links(c);
  if (urls.length) parts.push(urls.map((l) => `${l.label}: ${l.url}`).join('\n'));
  if (c.next) parts.push(c.next);
  const link = footer.link ? `\n${footer.link.before} ${footer.link.label}: ${footer.link.url}` : '';
  parts.push(`--\n${footer.text}${link}`);
  return `${parts.join('\n\n')}\n`;
}

function toHtml(c: Content, footer: Footer): string {
  const body = [`<h1 style="font-size:20px;margin:0 0 16px">${html(c.title)}</h1>`, `<p>${html(c.lead)}</p>`];
  for (const list of filled(c)) {
    const tag = list.numbered ? 'ol' : 'ul';
    body.push(`<p><strong>${html(list.heading)}</strong></p>`);
    body.push(`<${tag}>${list.items.map((it) => `<li>${html(it)}</li>`).join('')}</${tag}>`);
  }
  for (const l of links(c)) body.push(`<p><a href="${html(l.url)}">${html(l.label)}</a></p>`);
  if (c.next) body.push(`<p>${html(c.next)}</p>`);
  const link = footer.link
    ? `<br>${html(footer.link.before)} <a href="${html(footer.link.url)}" style="color:#6b7280">${html(footer.link.label)}</a>`
    : '';
  body.push(`<p style="font-size:12px;color:#6b7280">${html(footer.text)}${link}</p>`);
  return [
    '<!doctype html>',
    '<html><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;max-width:560px;margin:0 auto;padding:16px">',
    ...body,
    '</body></html>',
  ].join('\n');
}

function toBlocks(c: Content, message: Message): KnownBlock[] {
  // Clipped before the dates are written (a cut must not split one), well inside Slack's 3,000.
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: slackDates(clip(text, 2600)) } });
  const blocks: KnownBlock[] = [
    // A header is plain text: its dates read in UTC.
    { type: 'header', text: { type: 'plain_text', text: clip(plainDates(c.title, 'UTC'), 150), emoji: true } },
    section(mrkdwn(c.lead)),
  ];
  for (const list of filled(c)) {
    const lines = list.items.map((it, i) => `${list.numbered ? `${i + 1}.` : '•'} ${mrkdwn(it)}`);
    blocks.push(section(`*${mrkdwn(list.heading)}*\n${lines.join('\n')}`));
  }
  for (const l of links(c)) blocks.push(section(`<${l.url}|${mrkdwn(l.label)}>`));
  if (c.next) blocks.push(section(mrkdwn(c.next)));
  const partner = partnerOf(message);
  const about = c.footer ? mrkdwn(c.footer) : `Partner \`${mrkdwn(partner?.partnerId ?? '')}\``;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${about} · ${message.program.name} · ${message.kind}` }] });
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
