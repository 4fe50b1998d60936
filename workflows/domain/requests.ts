/**
 * The playbook's notification rules as concrete requests: which instances of
 * each rule exist right now (one per milestone, opportunity, review cycle or
 * recorded fact), their keys, and the delivery policy (partner e-mails only in
 * the partner's business hours, and only once there are partner contacts).
 *
 * A request key is `<rule id>:<scope...>:<audience>`, e.g. `welcome:partner`,
 * `milestone_reminder:product_training:d30:partner`,
 * `opportunity_sla_manager:opp-1:manager`, `checkpoint_summary:foundation:1:manager`,
 * `recurring_review_reminder:c3:manager`, `graduated:partner`. The scope holds
 * whatever makes the instance unique (the due day moves with an extension, so
 * a moved milestone is reminded again). What each request says is built by
 * ./messages.ts from the instance's subject when it goes out.
 */
import type { NotificationRequest, SlackTarget } from '../notifications';
import type { Audience, MilestoneDef, NotificationRule } from '../playbook';
import type { Phase } from '../types';
import { nextBusinessMoment } from './businessHours';
import { deferredUntil } from './deferrals';
import { respondedAtMs } from './health';
import { messageFor, type DomainMessage } from './messages';
import {
  HOUR,
  currentPhase,
  dueDay,
  dueMs,
  isOpen,
  phaseDeadlineDay,
  phaseDeadlineMs,
  planMilestones,
  notificationRules,
  type DomainState,
  type Occurrence,
  type Opportunity,
  activeManager,
} from './state';

/** What a rule instance is about: its trigger and the thing it fired for. */
export type Subject =
  | { on: 'start'; ifAnyOpen?: string[] }
  | { on: 'milestone_due'; milestone: MilestoneDef; afterHours: number }
  | { on: 'phase_deadline'; phase: Phase; ifAnyOpen?: string[] }
  | { on: 'opportunity_sla'; opportunity: Opportunity; hours: number }
  | { on: 'review_due'; cycle: number; dueMs: number }
  | { on: 'occurrence'; occurrence: Occurrence }
  /** The note to the manager that partner e-mails wait for contacts. */
  | { on: 'contacts_missing'; waiting: Candidate };

export interface Candidate {
  key: string;
  rule: NotificationRule;
  audience: Audience;
  /** When the trigger fires (before the delivery policy). */
  atMs: number;
  /** A reminder set before its moment ("3 days before due") is pointless once that moment has come. */
  expiresAtMs?: number;
  subject: Subject;
  /** Set for partner e-mails that wait for contacts. */
  blocked?: boolean;
}

type Instance = Pick<Candidate, 'atMs' | 'expiresAtMs' | 'subject'> & { scope: string[] };

/** `afterHours` from `anchorMs`; reminders before the anchor expire at the anchor. */
const relativeTo = (anchorMs: number, afterHours: number) => ({
  atMs: anchorMs + afterHours * HOUR,
  ...(afterHours < 0 ? { expiresAtMs: anchorMs } : {}),
});

/** What every rule's instances read: worked out once per `candidates`. */
interface Context {
  onboarding: boolean;
  /** The plan's milestones neither done nor waived, in plan order. */
  open: readonly MilestoneDef[];
}

/** Where a rule fires: one instance per milestone, opportunity, review cycle or recorded fact. */
function instances(s: DomainState, rule: NotificationRule, { onboarding, open }: Context): Instance[] {
  const t = rule.trigger;
  const anyOpen = (ids?: string[]) => !ids || ids.some((id) => isOpen(s, id));
  switch (t.on) {
    case 'start':
      return onboarding && anyOpen(t.ifAnyOpen)
        ? [{ scope: [], atMs: s.startMs + t.afterHours * HOUR, subject: { on: 'start', ...(t.ifAnyOpen ? { ifAnyOpen: t.ifAnyOpen } : {}) } }]
        : [];
    case 'milestone_due': {
      if (!onboarding) return [];
      const { ids, owner, requiredAtCheckpoint } = t.milestones;
      return open.filter(
          (m) =>
            (!ids || ids.includes(m.id)) &&
            (owner === undefined || m.owner === owner) &&
            (requiredAtCheckpoint === undefined || m.requiredAtCheckpoint === requiredAtCheckpoint),
        )
        .map((m) => ({
          scope: [m.id, `d${dueDay(s, m)}`],
          ...relativeTo(dueMs(s, m), t.afterHours),
          subject: { on: 'milestone_due', milestone: m, afterHours: t.afterHours },
        }));
    }
    case 'phase_deadline':
      return onboarding && anyOpen(t.ifAnyOpen)
        ? [
            {
              scope: [t.phase, `d${phaseDeadlineDay(s, t.phase)}`],
              ...relativeTo(phaseDeadlineMs(s, t.phase), t.afterHours),
              subject: { on: 'phase_deadline', phase: t.phase, ...(t.ifAnyOpen ? { ifAnyOpen: t.ifAnyOpen } : {}) },
            },
          ]
        : [];
    case 'opportunity_sla': {
      if (s.offboardedAtMs !== null) return [];
      const sla = s.playbook.opportunitySla;
      const hours = t.mark === 'response' ? sla.responseHours : sla.escalationHours;
      return s.opportunities
        .filter((o) => o.registeredAtMs !== null && respondedAtMs(o) === null)
        .map((o) => ({
          scope: [o.opportunityId],
          atMs: o.registeredAtMs! + hours * HOUR,
          subject: { on: 'opportunity_sla', opportunity: o, hours },
        }));
    }
    case 'review_due': {
      const due = s.reviews.nextDueMs;
      if (due === null || s.offboardedAtMs !== null || (t.afterGraduation && s.phase !== 'graduated')) return [];
      const cycle = s.reviews.completed + 1;
      return [{ scope: [`c${cycle}`], ...relativeTo(due, t.afterHours), subject: { on: 'review_due', cycle, dueMs: due } }];
    }
    default:
      return s.outbox
        .filter((o) => o.trigger === t.on)
        .map((o) => ({ scope: o.id ? [o.id] : [], atMs: o.atMs, subject: { on: 'occurrence', occurrence: o } }));
  }
}

/** Every request not yet requested whose rule currently applies, due or not. */
export function candidates(s: DomainState): Candidate[] {
  const requested = new Set(s.requested);
  const out: Candidate[] = [];
  // Asked several times in every workflow task: plain loops and literals, no spreads.
  const context: Context = { onboarding: currentPhase(s) !== null, open: planMilestones(s).filter((m) => isOpen(s, m.id)) };
  for (const rule of notificationRules(s)) {
    for (const { scope, atMs, expiresAtMs, subject } of instances(s, rule, context)) {
      const prefix = scope.length ? `${rule.id}:${scope.join(':')}` : rule.id;
      for (const audience of rule.audience) {
        const key = `${prefix}:${audience}`;
        if (requested.has(key)) continue;
        const c: Candidate =
          expiresAtMs === undefined ? { key, rule, audience, atMs, subject } : { key, rule, audience, atMs, expiresAtMs, subject };
        if (audience === 'partner' && !s.contacts.length) c.blocked = true;
        out.push(c);
      }
    }
  }
  out.sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : 1));
  // Partner e-mails wait for contacts; when the first one would go out, the manager hears once that there are none.
  const firstBlocked = out.find((c) => c.blocked);
  const note = 'no_partner_contacts:manager';
  if (firstBlocked && !requested.has(note)) {
    out.splice(out.indexOf(firstBlocked), 0, {
      key: note,
      rule: firstBlocked.rule,
      audience: 'manager',
      atMs: firstBlocked.atMs,
      subject: { on: 'contacts_missing', waiting: firstBlocked },
    });
  }
  return out;
}

/** The facts a candidate announces, if any: they stay recorded until announced. */
export function occurrenceOf(c: Candidate): Occurrence | undefined {
  return c.subject.on === 'occurrence' ? c.subject.occurrence : undefined;
}

/**
 * When a candidate may go out (partner e-mails only in the partner's business
 * hours), or null when it never will (waiting for contacts, or expired first).
 */
export function sendAt(s: DomainState, c: Candidate, nowMs: number): number | null {
  if (c.blocked) return null;
  // A request deferred by a recipient's quiet hours comes due again when they end.
  const from = Math.max(c.atMs, deferredUntil(s, c.key) ?? c.atMs);
  const at =
    c.audience === 'partner'
      ? nextBusinessMoment(Math.max(from, nowMs), s.profile.timezone ?? 'UTC', s.playbook.businessHours)
      : from;
  return c.expiresAtMs !== undefined && Math.max(at, nowMs) >= c.expiresAtMs ? null : at;
}

export function managerTarget(s: DomainState): SlackTarget {
  const { slackUserId, email } = activeManager(s);
  return slackUserId ? { userId: slackUserId, label: email } : { label: email };
}

/** The request for a due candidate: its message, addressed by audience (null: see `messageFor`). */
export function toRequest(s: DomainState, c: Candidate, nowMs: number): NotificationRequest | null {
  const message = messageFor(s, c, nowMs);
  if (!message) return null;
  return address(s, c.key, message, c.audience);
}

export function address(s: DomainState, key: string, message: DomainMessage, audience: Audience): NotificationRequest {
  if (audience === 'partner') {
    return { key, ...message, channel: 'email', to: s.contacts.map(({ name, email }) => ({ name, email })) };
  }
  const to = audience === 'escalation' ? { escalation: true, label: 'escalation channel' } : managerTarget(s);
  return { key, ...message, channel: 'slack', to };
}
