import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { advance, applyEvent, initState, type DomainState } from '../../workflows/domain';
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const fresh = (overrides = {}): DomainState => initState(profile(overrides), DEFAULT_PLAYBOOK, T0);

describe('invalid payloads', () => {
  it.each([
    [null, '(missing)', '(invalid)'],
    ['kickoff', '(missing)', '(invalid)'],
    [[1, 2], '(missing)', '(invalid)'],
    [{ type: 'kickoff_completed' }, '(missing)', 'kickoff_completed'],
    [{ eventId: 'x1', type: 'teleport' }, 'x1', 'teleport'],
  ])('%j is rejected, never thrown', (payload, eventId, type) => {
    const next = applyEvent(fresh(), payload, T0 + HOUR);
    expect(next.rejectedEvents).toEqual([{ eventId, type, reason: expect.stringMatching(/^invalid event: /), at: iso(T0 + HOUR) }]);
  });

  it('lists each invalid field in the reason', () => {
    const next = applyEvent(fresh(), { eventId: 'lms-1', type: 'assessment_completed', data: { assessment: 'product', score: 120 } }, T0);
    expect(next.rejectedEvents[0].reason).toBe('invalid event: data.score: Too big: expected number to be <=100');
    const two = applyEvent(fresh(), { eventId: 'crm-1', type: 'deal_won', data: { amount: -1 } }, T0);
    expect(two.rejectedEvents[0].reason).toMatch(/data\.opportunityId: .*; data\.amount: /);
  });

  it('names array items the way the API does: data.contacts[1].email', () => {
    const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }, { role: 'technical', name: 'Kim', email: 'kim' }];
    const next = applyEvent(fresh(), { eventId: 'portal-1', type: 'contacts_designated', data: { contacts } }, T0);
    expect(next.rejectedEvents[0].reason).toBe('invalid event: data.contacts[1].email: must be an e-mail address');
  });

  it('does not burn the eventId: a corrected resend is applied', () => {
    let s = applyEvent(fresh(), { eventId: 'lms-2', type: 'training_completed', data: {} }, T0);
    s = applyEvent(s, { eventId: 'lms-2', type: 'training_completed', data: { module: 'business_101' } }, T0);
    expect(s.completions.business_101_training).toEqual({ atMs: T0 });
  });

  it('keeps only the latest 200 rejections', () => {
    let s = fresh();
    for (let i = 0; i < 205; i++) s = applyEvent(s, { eventId: `bad-${i}`, type: 'nope' }, T0);
    expect(s.rejectedEvents).toHaveLength(200);
    expect(s.rejectedEvents[0].eventId).toBe('bad-5');
  });
});

describe('duplicates and time', () => {
  it('ignores a repeated eventId completely, even with another payload', () => {
    const once = applyEvent(fresh(), { eventId: 'e-1', type: 'kickoff_completed' }, T0 + HOUR);
    expect(applyEvent(once, { eventId: 'e-1', type: 'kickoff_completed' }, T0 + 2 * HOUR)).toBe(once);
    expect(applyEvent(once, { eventId: 'e-1', type: 'portal_access_granted' }, T0 + 2 * HOUR)).toBe(once);
  });

  it('remembers a bounded number of eventIds (the oldest are forgotten)', () => {
    let s = fresh();
    for (let i = 0; i <= 5000; i++) s = applyEvent(s, { eventId: `n-${i}`, type: 'community_event_attended' }, T0);
    expect(s.seenEventIds).toHaveLength(5000);
    expect(s.seenEventIds[0]).toBe('n-1');
  });

  it('completes at occurredAt when it is in the past, at receipt when it is in the future', () => {
    const now = T0 + 5 * DAY;
    let s = applyEvent(fresh(), { eventId: 'a', type: 'portal_access_granted', occurredAt: iso(T0 + 20 * HOUR) }, now);
    s = applyEvent(s, { eventId: 'b', type: 'kickoff_completed', occurredAt: iso(now + DAY) }, now);
    expect(s.completions.portal_access.atMs).toBe(T0 + 20 * HOUR);
    expect(s.completions.kickoff_call.atMs).toBe(now);
  });

  it('never mutates the state it is given', () => {
    const s = deepFreeze(advance(fresh(), T0).state);
    expect(() => applyEvent(s, { eventId: 'k', type: 'kickoff_completed' }, T0)).not.toThrow();
    expect(() => advance(s, T0 + 40 * DAY)).not.toThrow();
    expect(s.completions.kickoff_call).toBeUndefined();
  });

  it('accepts an event for a milestone the segment does not have, without effect', () => {
    const s = applyEvent(fresh({ segment: 'transactional' }), { eventId: 'k', type: 'kickoff_completed' }, T0);
    expect(s.rejectedEvents).toEqual([]);
    expect(s.completions).toEqual({});
  });
});

describe('offboarding ends onboarding', () => {
  it('rejects every later event', () => {
    const sim = new Sim();
    sim.day(3).event('offboarded', { reason: 'partner chose a competitor' });
    sim.day(4).event('kickoff_completed', undefined, { eventId: 'late' });
    const v = sim.view();
    expect(v.phase).toBe('offboarded');
    expect(v.offboardedAt).toBe(iso(T0 + 3 * DAY));
    expect(v.rejectedEvents).toEqual([
      { eventId: 'late', type: 'kickoff_completed', reason: 'the partner was offboarded: onboarding has ended', at: iso(T0 + 4 * DAY) },
    ]);
    expect(sim.keys('offboarded')).toEqual(['offboarded:manager']);
  });
});

describe('waivers: a manager override per partner', () => {
  it('marks the milestone waived with its reason; it counts at the checkpoint', () => {
    const sim = new Sim();
    sim.event('milestone_waived', { milestoneId: 'portal_access', reason: 'uses SSO already', by: 'dana@vendor.example' });
    const m = sim.view().milestones.find((x) => x.id === 'portal_access');
    expect(m).toMatchObject({ status: 'waived', waivedReason: 'uses SSO already', completedAt: iso(T0) });
    expect(sim.view().indicators.timeToPortalAccessHours).toBeNull();
  });

  it('rejects an unknown milestone id, or one the segment does not have', () => {
    const sim = new Sim(profile({ segment: 'transactional' }));
    sim.event('milestone_waived', { milestoneId: 'kickoff_call', reason: 'n/a' }, { eventId: 'w1' });
    expect(sim.view().rejectedEvents).toEqual([
      { eventId: 'w1', type: 'milestone_waived', reason: "unknown milestone 'kickoff_call' for transactional partners", at: iso(T0) },
    ]);
  });
});

describe('gating: "Gate opportunity registration behind baseline training completion"', () => {
  it('rejects a registration before Business 101 and e-mails the partner once per rejected event', () => {
    const sim = new Sim();
    sim.day(3).event('opportunity_registered', { opportunityId: 'opp-1' }, { eventId: 'crm-9' });
    sim.day(3.1).event('opportunity_registered', { opportunityId: 'opp-1' }, { eventId: 'crm-9' });
    const v = sim.view();
    expect(v.rejectedEvents.map((r) => [r.eventId, r.reason])).toEqual([
      ['crm-9', 'opportunity registration is gated: complete business_101_training first'],
      ['crm-9', 'opportunity registration is gated: complete business_101_training first'],
    ]);
    expect(v.opportunities).toEqual([]);
    expect(sim.keys('registration_gated')).toEqual(['registration_gated:crm-9:partner']);
    expect(sim.sentOf('registration_gated:crm-9:partner')?.request).toMatchObject({
      channel: 'email',
      to: [{ name: 'Lee', email: 'lee@acme.example' }],
      data: { opportunity: { opportunityId: 'opp-1' }, missing: [expect.objectContaining({ id: 'business_101_training', title: 'Business 101 training' })] },
    });
  });

  it('accepts the same event once the training is done', () => {
    const sim = new Sim();
    sim.day(3).event('opportunity_registered', { opportunityId: 'opp-1' }, { eventId: 'crm-9' });
    sim.event('training_completed', { module: 'business_101' });
    sim.event('opportunity_registered', { opportunityId: 'opp-1' }, { eventId: 'crm-9' });
    expect(sim.view().opportunities.map((o) => o.status)).toEqual(['registered']);
    expect(sim.status('first_opportunity_registered')).toBe('done');
  });

  it('treats a waived training as satisfied', () => {
    const sim = new Sim();
    sim.event('milestone_waived', { milestoneId: 'business_101_training', reason: 'reseller veteran' });
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    expect(sim.view().rejectedEvents).toEqual([]);
    expect(sim.view().opportunities).toHaveLength(1);
  });
});

describe('fast track: "Provide training fast track for experienced partners"', () => {
  it('waives Business 101, so registration is open from day one', () => {
    const sim = new Sim(profile({ experienced: true }));
    expect(sim.view().milestones.find((m) => m.id === 'business_101_training')).toMatchObject({
      status: 'waived',
      waivedReason: 'fast track',
    });
    sim.event('opportunity_registered', { opportunityId: 'opp-1' });
    expect(sim.view().rejectedEvents).toEqual([]);
  });

  it('lets an experienced partner test out of product training by passing the assessment', () => {
    const sim = new Sim(profile({ experienced: true }));
    sim.day(4).event('assessment_completed', { assessment: 'product', score: 92 });
    expect([sim.status('product_assessment'), sim.status('product_training')]).toEqual(['done', 'done']);
    expect(sim.view().milestones.find((m) => m.id === 'product_training')?.completedAt).toBe(iso(T0 + 4 * DAY));
  });

  it('does not fast-track other partners', () => {
    const sim = new Sim(profile({ experienced: false }));
    sim.day(4).event('assessment_completed', { assessment: 'product', score: 92 });
    expect([sim.status('business_101_training'), sim.status('product_training')]).toEqual(['pending', 'pending']);
  });
});

describe('completion rules', () => {
  it('passes the product assessment at the pass mark (80), not below', () => {
    const sim = new Sim();
    sim.event('assessment_completed', { assessment: 'product', score: 79 });
    expect(sim.status('product_assessment')).toBe('pending');
    sim.event('assessment_completed', { assessment: 'security', score: 95 });
    expect(sim.status('product_assessment')).toBe('pending');
    sim.event('assessment_completed', { assessment: 'product', score: 80 });
    expect(sim.status('product_assessment')).toBe('done');
  });

  it("certifies only on the partner's own track and records the first attempt", () => {
    const sim = new Sim(profile({ role: 'technical' }));
    sim.event('certification_completed', { track: 'sales', passed: true });
    expect([sim.status('role_certification'), sim.view().indicators.certificationFirstAttemptPassed]).toEqual(['pending', null]);
    sim.event('certification_completed', { track: 'technical', passed: false, score: 61 });
    sim.event('certification_completed', { track: 'technical', passed: true, score: 88 });
    expect([sim.status('role_certification'), sim.view().indicators.certificationFirstAttemptPassed]).toEqual(['done', false]);
  });

  it('matches training modules exactly', () => {
    const sim = new Sim();
    sim.event('training_completed', { module: 'product_advanced' });
    expect(sim.status('product_training')).toBe('pending');
    expect(sim.view().indicators.timeToFirstTrainingDays).toBe(0);
  });

  it('merges designated contacts by e-mail address', () => {
    const sim = new Sim();
    sim.event('contacts_designated', {
      contacts: [
        { role: 'sales lead', name: 'Lee Park', email: 'lee@acme.example' },
        { role: 'technical lead', name: 'Sam', email: 'sam@acme.example' },
      ],
    });
    expect(sim.state.contacts.map((c) => [c.name, c.email])).toEqual([
      ['Lee Park', 'lee@acme.example'],
      ['Sam', 'sam@acme.example'],
    ]);
    expect(sim.status('primary_contacts')).toBe('done');
  });
});
