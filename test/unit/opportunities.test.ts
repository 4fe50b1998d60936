import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

/** A core partner on track, past Business 101 (registration is gated behind it). Day 4 is a Tuesday. */
function trained(overrides = {}): Sim {
  return new Sim(profile(overrides))
    .day(1)
    .event('kickoff_completed')
    .event('portal_access_granted')
    .event('profile_completed')
    .event('agreements_signed')
    .event('contacts_designated', { contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }] })
    .day(4)
    .event('training_completed', { module: 'business_101' });
}
const opp = (sim: Sim, id = 'opp-1') => sim.view().opportunities.find((o) => o.opportunityId === id);

describe('opportunity lifecycle', () => {
  it('goes identified -> registered -> acknowledged -> qualified -> won', () => {
    const sim = trained();
    sim.event('opportunity_identified', { opportunityId: 'opp-1', account: 'Globex' });
    expect(sim.status('opportunity_discovery')).toBe('done');
    sim.day(5).event('opportunity_registered', { opportunityId: 'opp-1', amount: 12_000 });
    sim.day(5.25).event('opportunity_acknowledged', { opportunityId: 'opp-1', owner: 'ae@vendor.example' });
    expect(opp(sim)).toMatchObject({ status: 'registered', acknowledgedAt: iso(T0 + 5.25 * DAY), owner: 'ae@vendor.example' });
    sim.day(6).event('opportunity_qualified', { opportunityId: 'opp-1', amount: 15_000 });
    sim.day(9).event('deal_won', { opportunityId: 'opp-1', amount: 14_000 });
    expect(opp(sim)).toEqual({
      opportunityId: 'opp-1',
      account: 'Globex',
      amount: 14_000,
      status: 'won',
      identifiedAt: iso(T0 + 4 * DAY),
      registeredAt: iso(T0 + 5 * DAY),
      acknowledgedAt: iso(T0 + 5.25 * DAY),
      owner: 'ae@vendor.example',
      qualifiedAt: iso(T0 + 6 * DAY),
      closedAt: iso(T0 + 9 * DAY),
      slaDueAt: iso(T0 + 6 * DAY), // registered + 24 h
      slaBreached: false,
      // Named by an account: checked with the account registry, which nobody else holds here.
      accountKey: 'globex',
      accountCheck: 'held',
    });
  });

  it('creates an opportunity registered without being identified, and completes discovery too', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-7' });
    expect(opp(sim, 'opp-7')).toMatchObject({ status: 'registered', identifiedAt: null, registeredAt: iso(T0 + 4 * DAY) });
    expect([sim.status('opportunity_discovery'), sim.status('first_opportunity_registered')]).toEqual(['done', 'done']);
  });

  it('accepts a won deal before its qualification: a won deal was qualified', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' }).event('deal_won', { opportunityId: 'opp-1', amount: 9_000 });
    expect(opp(sim)).toMatchObject({ status: 'won', qualifiedAt: iso(T0 + 4 * DAY), amount: 9_000 });
    expect([sim.status('first_opportunity_qualified'), sim.status('first_deal_or_pipeline')]).toEqual(['done', 'done']);
    sim.event('opportunity_qualified', { opportunityId: 'opp-1' }); // the late qualification is harmless
    expect(opp(sim)?.status).toBe('won');
    expect(sim.view().rejectedEvents).toEqual([]);
  });

  it('treats a second acknowledgement as harmless (the first one counts)', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.day(4.5).event('opportunity_acknowledged', { opportunityId: 'opp-1' });
    sim.day(4.7).event('opportunity_acknowledged', { opportunityId: 'opp-1' });
    expect(opp(sim)?.acknowledgedAt).toBe(iso(T0 + 4.5 * DAY));
    expect(sim.view().rejectedEvents).toEqual([]);
  });

  it('rejects events for unknown opportunities', () => {
    const sim = trained();
    for (const type of ['opportunity_acknowledged', 'opportunity_qualified', 'opportunity_disqualified', 'deal_lost'] as const) {
      sim.event(type, { opportunityId: 'ghost' }, { eventId: type });
    }
    sim.event('deal_won', { opportunityId: 'ghost', amount: 1 }, { eventId: 'won' });
    expect(sim.view().rejectedEvents.map((r) => [r.eventId, r.reason])).toEqual([
      ['opportunity_acknowledged', "unknown opportunity 'ghost'"],
      ['opportunity_qualified', "unknown opportunity 'ghost'"],
      ['opportunity_disqualified', "unknown opportunity 'ghost'"],
      ['deal_lost', "unknown opportunity 'ghost'"],
      ['won', "unknown opportunity 'ghost'"],
    ]);
  });

  it('rejects status changes on a closed opportunity', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' }).event('opportunity_disqualified', { opportunityId: 'opp-1', reason: 'no budget' });
    sim.event('deal_won', { opportunityId: 'opp-1', amount: 5 }, { eventId: 'w' });
    sim.event('opportunity_qualified', { opportunityId: 'opp-1' }, { eventId: 'q' });
    expect(sim.view().rejectedEvents.map((r) => r.reason)).toEqual([
      "opportunity 'opp-1' is already disqualified",
      "opportunity 'opp-1' is already disqualified",
    ]);
    expect(opp(sim)?.status).toBe('disqualified');
  });
});

describe('momentum outcomes', () => {
  it('counts "2-3 additional opportunities": three registrations in total', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'a' }).event('opportunity_registered', { opportunityId: 'b' });
    sim.event('opportunity_registered', { opportunityId: 'b' }); // the same opportunity again does not count twice
    expect(sim.status('additional_opportunities')).toBe('pending');
    sim.event('opportunity_registered', { opportunityId: 'c' });
    expect(sim.status('additional_opportunities')).toBe('done');
  });

  it('counts qualified open pipeline against the threshold; disqualified and unqualified do not count', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'a', amount: 30_000 }).event('opportunity_qualified', { opportunityId: 'a' });
    sim.event('opportunity_registered', { opportunityId: 'b', amount: 40_000 }); // registered, not qualified
    sim.event('opportunity_registered', { opportunityId: 'c', amount: 25_000 }).event('opportunity_disqualified', { opportunityId: 'c' });
    expect(sim.status('first_deal_or_pipeline')).toBe('pending');
    sim.event('opportunity_qualified', { opportunityId: 'b' }); // 30k + 40k >= 50k
    expect(sim.status('first_deal_or_pipeline')).toBe('done');
  });

  it('celebrates the first won deal only', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'a' }).event('opportunity_registered', { opportunityId: 'b' });
    sim.event('opportunity_acknowledged', { opportunityId: 'a' }).event('opportunity_acknowledged', { opportunityId: 'b' });
    sim.day(6).event('deal_won', { opportunityId: 'a', amount: 1_000 });
    sim.day(7).event('deal_won', { opportunityId: 'b', amount: 2_000 });
    expect(sim.keys('first_deal_celebration')).toEqual(['first_deal_celebration:manager', 'first_deal_celebration:partner']);
    expect(sim.sentOf('first_deal_celebration:partner')?.request.data).toMatchObject({ opportunity: { opportunityId: 'a', amount: 1_000 } });
    expect(sim.view().indicators.timeToFirstDealDays).toBe(6);
  });
});

describe('response SLA: "Respond to opportunity registration within 24 hours"', () => {
  // Registered on day 4 at 09:00 UTC (a Tuesday).
  const registered = T0 + 4 * DAY;

  it('pings the manager at 24 h and escalates at 48 h while unanswered', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.until(registered + 24 * HOUR - 1);
    expect([opp(sim)?.slaBreached, sim.view().health]).toEqual([false, 'on_track']);
    sim.until(registered + 24 * HOUR);
    expect(sim.sentOf('opportunity_sla_manager:opp-1:manager')).toMatchObject({
      at: registered + 24 * HOUR,
      request: {
        channel: 'slack',
        to: { userId: 'U0123', label: 'dana@vendor.example' },
        data: { opportunity: { opportunityId: 'opp-1' }, registeredAt: iso(registered), hours: 24, responseHours: 24 },
      },
    });
    expect([opp(sim)?.slaBreached, sim.view().health]).toEqual([true, 'behind']);
    sim.until(registered + 48 * HOUR);
    expect(sim.sentOf('opportunity_sla_escalation:opp-1:escalation')).toMatchObject({
      at: registered + 48 * HOUR,
      request: { channel: 'slack', to: { escalation: true } },
    });
    expect(sim.view().health).toBe('at_risk');
    expect(sim.keys('at_risk')).toEqual([]); // the SLA escalation is the escalation
  });

  it('an acknowledgement clears it: no more SLA notifications for that opportunity', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.until(registered + 30 * HOUR).event('opportunity_acknowledged', { opportunityId: 'opp-1' });
    sim.day(10);
    expect(sim.keys().filter((k) => k.includes('opp-1'))).toEqual(['opportunity_sla_manager:opp-1:manager']);
    expect(opp(sim)?.slaBreached).toBe(true); // answered late, on the record
    expect(sim.view().health).toBe('on_track');
  });

  it('an answer within 24 h means no SLA notification at all', () => {
    const sim = trained();
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.until(registered + 23 * HOUR).event('opportunity_acknowledged', { opportunityId: 'opp-1' });
    sim.day(10);
    expect(sim.keys().filter((k) => k.includes('opp-1'))).toEqual([]);
    expect(opp(sim)?.slaBreached).toBe(false);
  });
});
