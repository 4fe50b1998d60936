/** Ongoing success management: a success manager takes over, tiers, the quarterly plan, activity that drops off. */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { searchAttributes } from '../../workflows/domain';
import { DAY, Sim, T0, iso, profile } from './harness';

const sam = { name: 'Sam Rivera', email: 'sam@vendor.example', slackUserId: 'U0SAM' };

/** Graduated on day 1 (every required milestone waived), with `overrides` on the profile. */
function graduated(overrides = {}): Sim {
  const sim = new Sim(profile(overrides)).day(1);
  for (const m of DEFAULT_PLAYBOOK.segments.core.milestones.filter((x) => (x.requiredAtCheckpoint || x.id === 'business_101_training') && !x.forAdditionalRole)) {
    sim.event('milestone_waived', { milestoneId: m.id, reason: 'pilot', by: 'dana@vendor.example' });
  }
  expect(sim.view().phase).toBe('graduated');
  return sim;
}

describe('the success manager named in the profile', () => {
  const sim = graduated({ successManager: sam });

  it('takes the partner over at graduation: both hear of it, and the manager of record is theirs', () => {
    sim.day(3);
    expect(sim.keys('success_handover')).toEqual(['success_handover:manager', 'success_handover:partner']);
    expect(sim.sentOf('success_handover:manager')?.request.to).toEqual({ userId: 'U0SAM', label: 'sam@vendor.example' });
    expect(searchAttributes(sim.state, sim.now).manager).toBe('sam@vendor.example');
    expect(sim.view().successManager).toEqual({ name: 'Sam Rivera', email: 'sam@vendor.example' });
  });

  it('gets the review reminders and the quarterly plan request a week before each review', () => {
    sim.day(92);
    expect(sim.sentOf('quarterly_plan_request:c1:manager')).toMatchObject({ at: T0 + 84 * DAY, request: { to: { userId: 'U0SAM' } } });
    expect(sim.sentOf('quarterly_plan_request:c1:partner')?.request).toMatchObject({
      channel: 'email',
      data: { cycle: 1, reviewAt: iso(T0 + 91 * DAY), cadenceDays: 90 },
    });
    expect(sim.sentOf('recurring_review_reminder:c1:manager')?.request.to).toEqual({ userId: 'U0SAM', label: 'sam@vendor.example' });
  });
});

describe('activity that drops off after graduation', () => {
  it('is a risk after 45 days without an event; the manager and the escalation channel hear once per quiet spell', () => {
    const sim = graduated().day(10).event('community_event_attended', { event: 'webinar' });
    sim.until(T0 + 55 * DAY);
    expect(sim.view().health).toBe('on_track');
    sim.until(T0 + 55 * DAY + 1);
    expect(sim.view().health).toBe('at_risk');
    expect(sim.keys('activity_dropped')).toEqual([`activity_dropped:${T0 + 10 * DAY}:manager`]);
    const dropped = sim.sentOf(`activity_dropped:${T0 + 10 * DAY}:manager`)?.request;
    expect(dropped?.kind === 'activity_dropped' && dropped.data).toEqual({ since: iso(T0 + 10 * DAY), days: 45 });
    expect(sim.sentOf('at_risk:1:escalation')?.request.data).toMatchObject({ reasons: [{ code: 'inactive', since: iso(T0 + 10 * DAY), days: 45 }] });
    // Any event ends the spell; the next one is told again.
    sim.day(60).event('opportunity_registered', { opportunityId: 'late-1' });
    expect(sim.view().health).not.toBe('at_risk');
    sim.until(T0 + 105 * DAY + 1);
    expect(sim.keys('activity_dropped')).toHaveLength(2);
  });
});

describe('tiers from the playbook', () => {
  it('are reached after graduation, shown in the state, and announced when they change', () => {
    const sim = graduated().day(5);
    expect(sim.view().tier).toBeNull();
    for (let n = 1; n <= 5; n++) sim.event('opportunity_registered', { opportunityId: `o-${n}`, amount: 20_000 });
    sim.event('deal_won', { opportunityId: 'o-1', amount: 60_000 });
    expect(sim.view().tier).toBeNull(); // $60,000 won, no certification yet
    sim.event('deal_won', { opportunityId: 'o-2', amount: 50_000 }).event('certification_completed', { track: 'sales', passed: true });
    expect(sim.view().tier).toEqual({ id: 'silver', name: 'Silver' });
    sim.day(8);
    expect(sim.keys('tier_changed').sort()).toEqual([`tier_changed:silver@${T0 + 5 * DAY}:manager`, `tier_changed:silver@${T0 + 5 * DAY}:partner`]);
    const partner = sim.sentOf(`tier_changed:silver@${T0 + 5 * DAY}:partner`)?.request;
    expect(partner?.kind === 'tier_changed' && partner.data).toEqual({
      from: null,
      to: { id: 'silver', name: 'Silver' },
      registered: 5,
      wonRevenue: 110_000,
      certifications: 1,
    });
  });

  it('are not evaluated during onboarding', () => {
    const sim = new Sim().day(1);
    for (let n = 1; n <= 12; n++) sim.event('opportunity_registered', { opportunityId: `o-${n}` });
    expect(sim.view().tier).toBeNull();
  });
});
