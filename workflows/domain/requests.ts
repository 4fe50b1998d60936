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
 * a moved milestone is reminded again).
 */
import type { Audience, NotificationRule } from '../../config/playbook';
import type { NotificationRequest, SlackTarget } from '../notifications';
import { nextBusinessMoment } from './businessHours';
import { respondedAtMs } from './health';
import {
  HOUR,
  currentPhase,
  dueDay,
  dueMs,
  iso,
  isOpen,
  phaseDeadlineDay,
  phaseDeadlineMs,
  segmentPlan,
  type DomainState,
  type Occurrence,
} from './state';

export interface Candidate {
  key: string;
  rule: NotificationRule;
  audience: Audience;
  /** When the trigger fires (before the delivery policy). */
  atMs: number;
  /** A reminder set before its moment ("3 days before due") is pointless once that moment has come. */
  expiresAtMs?: number;
  data: Record<string, unknown>;
  /** Set for partner e-mails that wait for contacts. */
  blocked?: boolean;
  /** The recorded fact this request announces, if any. */
  occurrence?: Occurrence;
}

type Instance = Pick<Candidate, 'atMs' | 'expiresAtMs' | 'data' | 'occurrence'> & { scope: string[] };

/** `afterHours` from `anchorMs`; reminders before the anchor expire at the anchor. */
const relativeTo = (anchorMs: number, afterHours: number) => ({
  atMs: anchorMs + afterHours * HOUR,
  ...(afterHours < 0 ? { expiresAtMs: anchorMs } : {}),
});

/** Where a rule fires: one instance per milestone, opportunity, review cycle or recorded fact. */
function instances(s: DomainState, rule: NotificationRule): Instance[] {
  const t = rule.trigger;
  const onboarding = currentPhase(s) !== null;
  const anyOpen = (ids?: string[]) => !ids || ids.some((id) => isOpen(s, id));
  switch (t.on) {
    case 'start':
      return onboarding && anyOpen(t.ifAnyOpen) ? [{ scope: [], atMs: s.startMs + t.afterHours * HOUR, data: {} }] : [];
    case 'milestone_due': {
      if (!onboarding) return [];
      const { ids, owner, requiredAtCheckpoint } = t.milestones;
      return segmentPlan(s)
        .milestones.filter(
          (m) =>
            isOpen(s, m.id) &&
            (!ids || ids.includes(m.id)) &&
            (owner === undefined || m.owner === owner) &&
            (requiredAtCheckpoint === undefined || m.requiredAtCheckpoint === requiredAtCheckpoint),
        )
        .map((m) => ({
          scope: [m.id, `d${dueDay(s, m)}`],
          ...relativeTo(dueMs(s, m), t.afterHours),
          data: { milestoneId: m.id, title: m.title, dueAt: iso(dueMs(s, m)) },
        }));
    }
    case 'phase_deadline':
      return onboarding && anyOpen(t.ifAnyOpen)
        ? [
            {
              scope: [t.phase, `d${phaseDeadlineDay(s, t.phase)}`],
              ...relativeTo(phaseDeadlineMs(s, t.phase), t.afterHours),
              data: { phase: t.phase, phaseDeadline: iso(phaseDeadlineMs(s, t.phase)) },
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
          data: {
            opportunityId: o.opportunityId,
            account: o.account,
            amount: o.amount,
            registeredAt: iso(o.registeredAtMs!),
            hours,
          },
        }));
    }
    case 'review_due': {
      const due = s.reviews.nextDueMs;
      if (due === null || s.offboardedAtMs !== null) return [];
      const cycle = s.reviews.completed + 1;
      return [{ scope: [`c${cycle}`], ...relativeTo(due, t.afterHours), data: { cycle, dueAt: iso(due) } }];
    }
    default:
      return s.outbox
        .filter((o) => o.trigger === t.on)
        .map((o) => ({ scope: o.id ? [o.id] : [], atMs: o.atMs, data: o.data, occurrence: o }));
  }
}

/** Every request not yet requested whose rule currently applies, due or not. */
export function candidates(s: DomainState): Candidate[] {
  const requested = new Set(s.requested);
  const out: Candidate[] = [];
  for (const rule of segmentPlan(s).notifications) {
    for (const { scope, ...instance } of instances(s, rule)) {
      for (const audience of rule.audience) {
        const key = [rule.id, ...scope, audience].join(':');
        const blocked = audience === 'partner' && !s.contacts.length;
        if (!requested.has(key)) out.push({ key, rule, audience, ...instance, ...(blocked ? { blocked } : {}) });
      }
    }
  }
  out.sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : 1));
  // Partner e-mails wait for contacts; when the first one would go out, the manager hears once that there are none.
  const firstBlocked = out.find((c) => c.blocked);
  const note = 'no_partner_contacts:manager';
  if (firstBlocked && !requested.has(note)) {
    const data = { ...firstBlocked.data, noPartnerContacts: true, waiting: firstBlocked.key };
    out.splice(out.indexOf(firstBlocked), 0, { key: note, rule: firstBlocked.rule, audience: 'manager', atMs: firstBlocked.atMs, data });
  }
  return out;
}

/**
 * When a candidate may go out (partner e-mails only in the partner's business
 * hours), or null when it never will (waiting for contacts, or expired first).
 */
export function sendAt(s: DomainState, c: Candidate, nowMs: number): number | null {
  if (c.blocked) return null;
  const at =
    c.audience === 'partner'
      ? nextBusinessMoment(Math.max(c.atMs, nowMs), s.profile.timezone ?? 'UTC', s.playbook.businessHours)
      : c.atMs;
  return c.expiresAtMs !== undefined && Math.max(at, nowMs) >= c.expiresAtMs ? null : at;
}

export function baseData(s: DomainState): Record<string, unknown> {
  return { partnerId: s.profile.partnerId, partnerName: s.profile.name, segment: s.profile.segment, phase: s.phase };
}

export function managerTarget(s: DomainState): SlackTarget {
  const { slackUserId, email } = s.profile.partnerManager;
  return slackUserId ? { userId: slackUserId, label: email } : { label: email };
}

export function toRequest(s: DomainState, c: Candidate): NotificationRequest {
  const data = { ...baseData(s), ...c.data };
  if (c.audience === 'partner') {
    return { key: c.key, kind: c.rule.kind, data, channel: 'email', to: s.contacts.map(({ name, email }) => ({ name, email })) };
  }
  const to = c.audience === 'escalation' ? { escalation: true, label: 'escalation channel' } : managerTarget(s);
  return { key: c.key, kind: c.rule.kind, data, channel: 'slack', to };
}
