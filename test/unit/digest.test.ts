/**
 * The manager digest's side in the pure domain: a digest manager's partner in
 * cross-partner mode sends the manager nothing, keeps recent pings as news,
 * and describes itself in a digest entry.
 */
import { managerDigestEntry } from '../../workflows/domain';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { DAY, Sim, T0, iso, profile } from './harness';

const manager = { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0DANA', digest: true, timezone: 'Europe/Berlin' };

/** A new run: cross-partner from its first pass, as the workflow and the preview start it. */
const crossPartner = (): Sim => new Sim(profile({ partnerManager: manager }));

it('sends the manager nothing and has no digest of its own to flush', () => {
  const sim = crossPartner().day(31);
  expect(sim.sent.filter((s) => s.request.channel === 'slack' && !('escalation' in s.request.to && s.request.to.escalation))).toEqual([]);
  expect(sim.state.digest.flushAtMs).toBeNull();
  expect(sim.keys('manager_digest')).toEqual([]);
});

it('describes the partner for the digest: the checkpoint awaiting a decision, overdue milestones, answers owed', () => {
  const sim = crossPartner().day(1).event('training_completed', { module: 'business_101' }).event('opportunity_registered', { opportunityId: 'opp-1', account: 'Globex' });
  sim.day(31);
  const entry = managerDigestEntry(sim.state, sim.now)!;
  expect(entry).toMatchObject({
    partnerId: sim.state.profile.partnerId,
    manager: { email: manager.email, slackUserId: 'U0DANA', timezone: 'Europe/Berlin' },
    awaiting: { phase: 'foundation', dueAt: iso(T0 + 30 * DAY), decideBy: iso(T0 + 33 * DAY) },
    slas: [{ opportunityId: 'opp-1', account: 'Globex', dueAt: iso(T0 + 2 * DAY) }],
  });
  expect(entry.overdue[0]).toMatchObject({ id: 'kickoff_call', dueAt: iso(T0 + 2 * DAY) });
  expect(entry.overdueTotal).toBeGreaterThanOrEqual(entry.overdue.length);
  // Answered and decided: the entry says so at once.
  sim.event('opportunity_acknowledged', { opportunityId: 'opp-1' }).event('checkpoint_decision', { decision: 'extend', days: 7 });
  expect(managerDigestEntry(sim.state, sim.now)).toMatchObject({ slas: [] });
  expect(managerDigestEntry(sim.state, sim.now)?.awaiting).toBeUndefined();
});

it('keeps the pings the digest does not cover as news for two days', () => {
  const sim = crossPartner().day(12);
  expect(managerDigestEntry(sim.state, sim.now)?.news).toContainEqual({ kind: 'week2_checkin', at: iso(T0 + 12 * DAY) });
  sim.day(14.5);
  expect(managerDigestEntry(sim.state, sim.now)?.news).toEqual([]);
  expect(sim.state.digest.items.filter((i) => i.kind === 'week2_checkin')).toEqual([]);
});

it('publishes nothing for a manager without digest, or for a run still in per-partner mode', () => {
  expect(managerDigestEntry(new Sim(profile()).day(31).state, T0 + 31 * DAY)).toBeNull();
  const legacy = new Sim(profile({ partnerManager: manager }), DEFAULT_PLAYBOOK, T0, { legacyDigest: true }).day(31);
  expect(managerDigestEntry(legacy.state, legacy.now)).toBeNull();
  expect(legacy.keys('manager_digest').length).toBeGreaterThan(0); // its own daily digest, as before
});

it('marks the news of essential pings, which no preference holds back in the digest', () => {
  const sim = crossPartner().day(12).event('offboarded', { reason: 'no fit' });
  const news = managerDigestEntry(sim.state, sim.now)!.news;
  expect(news).toContainEqual(expect.objectContaining({ kind: 'offboarded', essential: true }));
  expect(news.find((n) => n.kind === 'week2_checkin')).not.toHaveProperty('essential');
});
