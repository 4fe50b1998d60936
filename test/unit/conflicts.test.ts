/**
 * Registrations against the account registry, on the partner's side
 * (workflows/domain/conflicts.ts), driven like the workflow shell drives it:
 * the pure domain alone where the order of answers matters, and simulations
 * sharing one in-memory registry (client/preview's AccountBook) for whole flows.
 */
import { AccountBook, Simulation } from '../../client/preview';
import { renderEmail } from '../../activities/templates';
import { accountWork, advance, applyConflictNotice, applyEvent, initState, recordSettlement, settleWithoutRegistry, toView } from '../../workflows/domain';
import type { ConflictNotice } from '../../workflows/accounts/types';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Playbook } from '../../workflows/playbook';
import { DAY, HOUR, T0, profile } from './harness';
import { domainOutput } from '../helpers/domainMessages';

const ALL_HOURS: Playbook = { ...DEFAULT_PLAYBOOK, businessHours: { weekdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 } };
const experienced = (partnerId: string, name = `${partnerId} Ltd`) =>
  profile({ partnerId, name, experienced: true, partnerManager: { name: `${partnerId} manager`, email: `${partnerId}@vendor.example`, slackUserId: `U${partnerId}` } });
const registration = (opportunityId: string, data: Record<string, unknown> = { account: 'Initech, Inc.', domain: 'initech.example' }) => ({
  eventId: `reg-${opportunityId}`,
  type: 'opportunity_registered',
  data: { opportunityId, amount: 40_000, ...data },
});

const keys = (sim: Simulation, kind: string) => sim.sent.filter((x) => x.request.kind === kind).map((x) => x.request.key);

/** A fresh partner's state on day 1, its registration of `opportunityId` applied but not yet answered. */
function pending(opportunityId = 'opp-1') {
  const s0 = advance(initState(experienced('acme'), ALL_HOURS, T0), T0).state;
  return applyEvent(s0, registration(opportunityId), T0 + DAY);
}

describe('a registration naming an account', () => {
  it('is registered at once but counts only once the registry holds it for the partner', () => {
    const s = pending();
    expect(toView(s, T0 + DAY).opportunities[0]).toMatchObject({ status: 'registered', accountKey: 'initech.example', accountCheck: 'pending' });
    expect(s.registrations).toBe(0);
    const work = accountWork(s)!;
    expect(work.claims).toEqual([
      {
        account: { key: 'initech.example', by: 'domain', label: 'initech.example' },
        claim: expect.objectContaining({ partnerId: 'acme', opportunityId: 'opp-1', domain: 'initech.example', amount: 40_000, rule: 'first_registration_wins' }),
      },
    ]);
    // Nothing about the registration goes out while the registry has not answered.
    expect(advance(s, T0 + DAY).requests.map((r) => r.kind)).not.toContain('first_deal_support');

    const held = recordSettlement(s, work, { answers: [{ opportunityId: 'opp-1', account: work.claims[0]!.account, status: 'held' }], unchecked: [] }, T0 + DAY);
    expect(held.registrations).toBe(1);
    expect(toView(held, T0 + DAY).opportunities[0]!.accountCheck).toBe('held');
    expect(toView(held, T0 + DAY).milestones.find((m) => m.id === 'first_opportunity_registered')).toMatchObject({ status: 'done', completedAt: new Date(T0 + DAY).toISOString() });
    expect(advance(held, T0 + DAY).requests.map((r) => r.kind)).toContain('first_deal_support');
    expect(accountWork(held)).toBeNull();
  });

  it('counts at once, as it was recorded, in runs from before the registry (the shell\'s patch)', () => {
    const s = settleWithoutRegistry(pending(), T0 + DAY);
    expect(s.registrations).toBe(1);
    expect(toView(s, T0 + DAY).opportunities[0]!.accountCheck).toBe('unchecked');
    expect(accountWork(s)).toBeNull();
  });

  it('counts, unchecked, when the registry cannot be reached for good', () => {
    const s = pending();
    const after = recordSettlement(s, accountWork(s)!, { answers: [], unchecked: [{ opportunityId: 'opp-1', error: 'account registry unreachable' }] }, T0 + DAY);
    expect(after.registrations).toBe(1);
    expect(toView(after, T0 + DAY).opportunities[0]!.accountCheck).toBe('unchecked');
  });

  it('without an account, never goes to the registry', () => {
    const s = applyEvent(advance(initState(experienced('acme'), ALL_HOURS, T0), T0).state, registration('opp-1', {}), T0 + DAY);
    expect(s.registrations).toBe(1);
    expect(accountWork(s)).toBeNull();
    expect(toView(s, T0 + DAY).opportunities[0]).not.toHaveProperty('accountCheck');
  });
});

describe('notices from the registry', () => {
  const notice = (over: Partial<ConflictNotice> = {}): ConflictNotice => ({
    conflictId: 'initech.example#1',
    account: { key: 'initech.example', by: 'domain', label: 'initech.example' },
    stage: 'flagged',
    role: 'holder',
    outcome: 'kept',
    rule: 'first_registration_wins',
    opportunityIds: ['opp-1'],
    other: { kind: 'partner', partnerId: 'rival', name: 'Rival Ltd', manager: { name: 'Sam', email: 'sam@vendor.example' }, opportunityIds: ['r-1'], registeredAt: new Date(T0 + DAY).toISOString() },
    escalate: false,
    at: new Date(T0 + DAY).toISOString(),
    ...over,
  });

  it("a holder's notice that overtakes its own answer settles the registration once", () => {
    const s = pending();
    const work = accountWork(s)!;
    const noticed = applyConflictNotice(s, notice(), T0 + DAY);
    expect(noticed.registrations).toBe(1);
    expect(toView(noticed, T0 + DAY).conflicts).toEqual([expect.objectContaining({ conflictId: 'initech.example#1', role: 'holder', outcome: 'kept', status: 'resolved' })]);
    const answered = recordSettlement(noticed, work, { answers: [{ opportunityId: 'opp-1', account: notice().account, status: 'held' }], unchecked: [] }, T0 + DAY);
    expect(answered.registrations).toBe(1);
  });

  it('applies a notice once, and records a malformed one as a rejected event', () => {
    const once = applyConflictNotice(pending(), notice(), T0 + DAY);
    expect(applyConflictNotice(once, notice(), T0 + DAY)).toBe(once);
    const bad = applyConflictNotice(once, { conflictId: 'x', stage: 'sometime' }, T0 + DAY);
    expect(bad.rejectedEvents.at(-1)).toMatchObject({ type: 'account_conflict', reason: 'invalid conflict notice: stage: must be flagged or resolved' });
    expect(bad.registrations).toBe(once.registrations);
  });

  it('a lost decision closes a held registration (its SLA clock stops) and keeps what it already completed', () => {
    let s = applyConflictNotice(pending(), notice({ outcome: 'awaiting_decision', rule: 'manager_decides' }), T0 + DAY);
    expect(s.registrations).toBe(1);
    s = applyConflictNotice(s, notice({ stage: 'resolved', outcome: 'lost', rule: 'manager_decides', decidedBy: 'pat' }), T0 + 2 * DAY);
    const view = toView(s, T0 + 2 * DAY);
    expect(view.opportunities[0]).toMatchObject({ status: 'disqualified', closedAt: new Date(T0 + 2 * DAY).toISOString(), slaBreached: true });
    expect(view.conflicts[0]).toMatchObject({ status: 'resolved', outcome: 'lost', decidedBy: 'pat', flaggedAt: new Date(T0 + DAY).toISOString() });
    expect(view.milestones.find((m) => m.id === 'first_opportunity_registered')!.status).toBe('done');
    // A late `flagged` never reopens it.
    expect(toView(applyConflictNotice(s, notice({ outcome: 'awaiting_decision', rule: 'manager_decides', conflictId: 'initech.example#1' }), T0 + 3 * DAY), T0 + 3 * DAY).conflicts[0]!.status).toBe('resolved');
  });
});

describe('two partners on one registry', () => {
  function pair(playbook: Playbook = ALL_HOURS) {
    const book = new AccountBook();
    const holder = new Simulation(experienced('contoso', 'Contoso Partners'), playbook, T0, { accounts: book });
    const challenger = new Simulation(experienced('northwind', 'Northwind Systems'), playbook, T0, { accounts: book });
    for (const sim of [holder, challenger]) sim.until(T0 + DAY);
    holder.apply(registration('c-1', { account: 'Initech', domain: 'www.Initech.example' }));
    challenger.apply(registration('n-1', { account: 'INITECH INC.' , domain: 'https://initech.example/contact' }));
    return { book, holder, challenger };
  }

  it('first registration wins: the later one is refused and closed; both managers and the escalation channel hear once', () => {
    const { holder, challenger } = pair();
    expect(holder.view().opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'held' });
    expect(challenger.view().opportunities[0]).toMatchObject({ status: 'disqualified', accountCheck: 'conflict', conflictId: 'initech.example#1' });
    expect([holder.state.registrations, challenger.state.registrations]).toEqual([1, 0]);
    expect(keys(holder, 'account_conflict')).toEqual(['account_conflict:initech.example#1:manager']);
    expect(keys(challenger, 'account_conflict').sort()).toEqual(['account_conflict:initech.example#1:escalation', 'account_conflict:initech.example#1:manager']);
    expect(keys(challenger, 'registration_conflict')).toEqual(['registration_conflict:initech.example#1:partner']);
    expect(keys(holder, 'registration_conflict')).toEqual([]);
    // The refused registration is answered: no SLA nudges for it.
    challenger.until(T0 + 4 * DAY);
    expect(keys(challenger, 'opportunity_sla_manager')).toEqual([]);
  });

  it('a manager decides: the later registration waits (and its SLA runs), then the decision settles both', () => {
    const { book, holder, challenger } = pair({ ...ALL_HOURS, accountConflicts: { rule: 'manager_decides' } });
    expect(challenger.view().opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'conflict' });
    expect(challenger.state.registrations).toBe(0);
    challenger.until(T0 + DAY + 25 * HOUR);
    holder.until(T0 + DAY + 25 * HOUR);
    expect(keys(challenger, 'opportunity_sla_manager')).toEqual(['opportunity_sla_manager:n-1:manager']);
    book.decide({ conflictId: 'initech.example#1', winner: 'northwind', by: 'pat' }, challenger.now);
    expect(challenger.view().opportunities[0]).toMatchObject({ status: 'registered', accountCheck: 'held' });
    expect(challenger.state.registrations).toBe(1);
    expect(holder.view().opportunities[0]).toMatchObject({ status: 'disqualified' });
    expect(keys(holder, 'account_conflict')).toEqual(['account_conflict:initech.example#1:manager', 'account_conflict_resolved:initech.example#1:manager']);
    expect(keys(challenger, 'registration_conflict').sort()).toEqual(['registration_conflict:initech.example#1:partner', 'registration_conflict_resolved:initech.example#1:partner']);
    expect(keys(holder, 'registration_conflict')).toEqual(['registration_conflict_resolved:initech.example#1:partner']);
  });

  it('a held registration that is lost frees the account for the next partner', () => {
    const { book, holder } = pair();
    holder.apply({ eventId: 'lost', type: 'deal_lost', data: { opportunityId: 'c-1' } });
    expect(book.view('initech.example')!.holder).toBeNull();
    const third = new Simulation(experienced('fabrikam'), ALL_HOURS, holder.now, { accounts: book });
    third.apply(registration('f-1'));
    expect(third.view().opportunities[0]!.accountCheck).toBe('held');
  });
});

describe('what the partner reads', () => {
  it("never names the other partner, its opportunity, its amount or its manager", () => {
    // The two-partner conflicts of the domain's scripted situations (test/helpers/domainMessages.ts).
    const requests = domainOutput().requests.filter((r) => r.kind === 'registration_conflict' && /^(contoso|northwind)-(first|decided)$/.test(r.partner.partnerId));
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      if (request.kind !== 'registration_conflict') continue;
      expect(Object.keys(request.data).sort()).toEqual(['account', 'afterReview', 'heldByDirectTeam', 'opportunities', 'status']);
      const mail = renderEmail({ ...request, program: DEFAULT_PLAYBOOK.program });
      const other = request.partner.partnerId.startsWith('contoso') ? ['Northwind', 'nw-3', '40,000', 'dana.ruiz@'] : ['Contoso', 'ct-7', '60,000', 'sam.okoro@'];
      for (const text of [mail.subject, mail.text, mail.html]) for (const secret of other) expect(text).not.toContain(secret);
    }
  });
});
