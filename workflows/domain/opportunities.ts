/**
 * Opportunities: identified -> registered (-> acknowledged) -> qualified -> won
 * or lost; disqualified at any point. Source systems deliver out of order, so a
 * win before the qualification is accepted (a won deal was qualified), a second
 * acknowledgement is harmless, and registering an opportunity never identified
 * creates it. Each handler returns a rejection reason, or nothing when applied.
 */
import type { EventOf } from '../types';
import { countRegistration, queueAccountClaim, queueAccountRelease } from './conflicts';
import { LIMITS, addOccurrence, isOpen, milestoneDef, type DomainState, type Opportunity } from './state';

type OpportunityEvent = EventOf<
  | 'opportunity_identified'
  | 'opportunity_registered'
  | 'opportunity_acknowledged'
  | 'opportunity_qualified'
  | 'opportunity_disqualified'
  | 'deal_won'
  | 'deal_lost'
>;

const CLOSED = ['won', 'lost', 'disqualified'];

function find(s: DomainState, opportunityId: string): Opportunity | undefined {
  return s.opportunities.find((o) => o.opportunityId === opportunityId);
}

function create(s: DomainState, opportunityId: string): Opportunity {
  const o: Opportunity = {
    opportunityId,
    status: 'identified',
    identifiedAtMs: null,
    registeredAtMs: null,
    acknowledgedAtMs: null,
    qualifiedAtMs: null,
    closedAtMs: null,
  };
  s.opportunities.push(o);
  return o;
}

/** The playbook's gates for this event type that are not satisfied (done or waived) yet. */
export function unmetGates(s: DomainState, type: string): string[] {
  return s.playbook.gates
    .filter((g) => g.event === type)
    .flatMap((g) => g.requires)
    .filter((id) => milestoneDef(s, id) && isOpen(s, id));
}

export function applyOpportunityEvent(s: DomainState, event: OpportunityEvent, atMs: number): string | undefined {
  const { opportunityId } = event.data;
  let o = find(s, opportunityId);

  switch (event.type) {
    case 'opportunity_identified':
      o ??= create(s, opportunityId);
      o.identifiedAtMs ??= atMs;
      if (event.data.account) o.account ??= event.data.account;
      return undefined;

    case 'opportunity_registered': {
      // "Gate opportunity registration behind baseline training completion."
      const missing = unmetGates(s, event.type);
      if (missing.length) {
        addOccurrence(s, {
          trigger: 'registration_gated',
          id: event.eventId,
          atMs,
          data: {
            opportunityId,
            ...(event.data.account !== undefined ? { account: event.data.account } : {}),
            ...(event.data.amount !== undefined ? { amount: event.data.amount } : {}),
            missing,
          },
        });
        return `opportunity registration is gated: complete ${missing.join(', ')} first`;
      }
      o ??= create(s, opportunityId);
      if (o.registeredAtMs !== null) return undefined;
      o.registeredAtMs = atMs;
      if (o.status === 'identified') o.status = 'registered';
      if (event.data.account) o.account = event.data.account;
      if (event.data.amount !== undefined) o.amount = event.data.amount;
      // Naming an account, it counts once the account registry has answered (./conflicts.ts).
      if (!queueAccountClaim(s, o, { account: o.account, domain: event.data.domain }, atMs)) countRegistration(s, opportunityId, atMs);
      return undefined;
    }
    default:
      break;
  }

  if (!o) return `unknown opportunity '${opportunityId}'`;
  switch (event.type) {
    case 'opportunity_acknowledged':
      o.acknowledgedAtMs ??= atMs;
      if (event.data.owner) o.owner = event.data.owner;
      return undefined;

    case 'opportunity_qualified':
      if (o.status === 'won') return undefined; // late qualification of a won deal
      if (CLOSED.includes(o.status)) return `opportunity '${opportunityId}' is already ${o.status}`;
      o.status = 'qualified';
      o.qualifiedAtMs ??= atMs;
      if (event.data.amount !== undefined) o.amount = event.data.amount;
      return undefined;

    case 'deal_won': {
      if (CLOSED.includes(o.status)) return `opportunity '${opportunityId}' is already ${o.status}`;
      const first = !s.opportunities.some((x) => x.status === 'won');
      Object.assign(o, { status: 'won', amount: event.data.amount, closedAtMs: atMs });
      s.wonRevenue += event.data.amount;
      o.qualifiedAtMs ??= atMs;
      pruneClosed(s);
      s.firsts.deal = Math.min(s.firsts.deal ?? atMs, atMs);
      // "Celebrate the win (even if small) when it happens."
      if (first) {
        addOccurrence(s, {
          trigger: 'first_deal_won',
          id: '',
          atMs,
          data: { opportunityId },
        });
      }
      return undefined;
    }
    case 'deal_lost':
    case 'opportunity_disqualified':
      if (CLOSED.includes(o.status)) return `opportunity '${opportunityId}' is already ${o.status}`;
      o.status = event.type === 'deal_lost' ? 'lost' : 'disqualified';
      o.closedAtMs = atMs;
      queueAccountRelease(s, o);
      // "If deal won't close: qualify 2-3 backup opportunities" (until the first deal is won).
      if (event.type === 'deal_lost' && !s.opportunities.some((x) => x.status === 'won')) {
        const reason = event.data.reason;
        addOccurrence(s, { trigger: 'deal_lost', id: opportunityId, atMs, data: { opportunityId, ...(reason ? { reason } : {}) } });
      }
      pruneClosed(s);
      return undefined;
  }
}

/** Keeps open opportunities and the latest closed ones (the state lives for years). */
function pruneClosed(s: DomainState): void {
  const closed = s.opportunities.filter((o) => CLOSED.includes(o.status));
  const drop = new Set(closed.slice(0, Math.max(0, closed.length - LIMITS.closedOpportunities)));
  if (drop.size) s.opportunities = s.opportunities.filter((o) => !drop.has(o));
}
