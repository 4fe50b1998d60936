/**
 * Reminders that come due at the same moment for the same recipients go out as
 * one message. A partner whose product training and product assessment are both
 * due on day 30 gets one e-mail naming both on day 27, not two in the same
 * minute, and the workflow runs one activity instead of two.
 *
 * A bundle's key joins its members' scopes in the plan's order, e.g.
 * `milestone_reminder:product_training:d30+product_assessment:d30:partner`.
 * Each member's own key stays in `requested`, so no member is requested again.
 * When quiet hours defer a bundle, each member is deferred with the bundle's key
 * and goes out again under it: the activity skips the recipients who already got
 * it, even when a member was done in the meantime and the bundle is smaller.
 *
 * Runs started before bundling (`DomainState.bundleReminders` unset) send one
 * message per reminder, as their histories say.
 */
import type { NotificationRequest } from '../notifications';
import { planMilestones, type DomainState } from './state';

type Reminder = Extract<NotificationRequest, { kind: 'milestone_reminder' }>;

/** A request to deliver and, for a bundle, the keys of the rule instances it stands for. */
export interface Delivery {
  request: NotificationRequest;
  members?: string[];
}

/**
 * `requests` (in order) with the reminders due together merged, each bundle where its first member was.
 * `earlier`: by rule instance key, the bundle its deferral named (read before the deferrals are settled).
 */
export function bundleReminders(s: DomainState, requests: NotificationRequest[], earlier: ReadonlyMap<string, string>): Delivery[] {
  if (!s.bundleReminders) return requests.map((request) => ({ request }));
  const slots: (Delivery | Reminder[])[] = [];
  const groups = new Map<string, Reminder[]>();
  for (const request of requests) {
    if (request.kind !== 'milestone_reminder') {
      slots.push({ request });
      continue;
    }
    const id = groupOf(request, earlier.get(request.key));
    const group = groups.get(id);
    if (group) group.push(request);
    else {
      const created = [request];
      groups.set(id, created);
      slots.push(created);
    }
  }
  return slots.map((slot) => (Array.isArray(slot) ? merge(s, slot, earlier.get(slot[0]!.key)) : slot));
}

/** Same rule, audience, recipients and overdue flag, and the same earlier bundle (if deferred in one). */
function groupOf(r: Reminder, bundle: string | undefined): string {
  const parts = r.key.split(':');
  const to = r.channel === 'email' ? r.to.map((t) => t.email).join(',') : JSON.stringify(r.to);
  return JSON.stringify([parts[0], parts[parts.length - 1], r.data.overdue, r.channel, to, bundle ?? null]);
}

function merge(s: DomainState, due: Reminder[], earlier: string | undefined): Delivery {
  // In the plan's order (training before its assessment), as the partner's plan lists them.
  const order = planMilestones(s).map((m) => m.id);
  const members = [...due].sort((a, b) => order.indexOf(a.data.milestone.id) - order.indexOf(b.data.milestone.id));
  const [first, ...rest] = members as [Reminder, ...Reminder[]];
  if (!rest.length && !earlier) return { request: first };
  const parts = members.map((r) => r.key.split(':'));
  const head = parts[0]!;
  const key = earlier ?? [head[0], parts.map((p) => p.slice(1, -1).join(':')).join('+'), head[head.length - 1]].join(':');
  const data = { ...first.data, ...(rest.length ? { also: rest.map((r) => r.data.milestone) } : {}) };
  return { request: { ...first, key, data }, members: members.map((r) => r.key) };
}

/** The keys of the rule instances a request stands for: a bundle's members, else the key itself. */
export function bundledKeys(key: string): string[] {
  const parts = key.split(':');
  const scopes = parts.slice(1, -1).join(':').split('+');
  if (scopes.length < 2) return [key];
  return scopes.map((scope) => [parts[0], scope, parts[parts.length - 1]].join(':'));
}
