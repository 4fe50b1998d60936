/** Profile changes of a running partner: manager handover, contacts, roles, time zone, segment. */
import { changedFields, profileChangeRefusal, searchAttributes, reportSummary } from '../../workflows/domain';
import { parseProfileChange, type ProfileChange } from '../../workflows/types';
import { DAY, Sim, T0, iso } from './harness';

const alex = { name: 'Alex Chen', email: 'alex@vendor.example', slackUserId: 'U0ALEX' };
const change = (c: Omit<ProfileChange, 'by'>): ProfileChange => ({ by: 'ops@vendor.example', ...c });

describe('a manager handover', () => {
  const sim = new Sim().day(3);
  sim.changeProfile(change({ partnerManager: alex, reason: 'Dana left' }));

  it('tells the new manager where the partner stands, and records who changed what', () => {
    const handover = sim.sentOf('manager_handover:1:manager')?.request;
    expect(handover).toMatchObject({ channel: 'slack', to: { userId: 'U0ALEX', label: 'alex@vendor.example' } });
    expect(handover?.kind === 'manager_handover' && handover.data).toMatchObject({
      from: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
      by: 'ops@vendor.example',
      open: expect.arrayContaining([expect.objectContaining({ id: 'portal_access' })]),
    });
    expect(sim.view().profileChanges).toEqual([{ at: iso(T0 + 3 * DAY), by: 'ops@vendor.example', fields: ['partnerManager'], reason: 'Dana left' }]);
  });

  it('sends the next nudges to the new manager, and moves the search attribute and the report', () => {
    sim.day(12);
    expect(sim.sentOf('week2_checkin:manager')?.request.to).toEqual({ userId: 'U0ALEX', label: 'alex@vendor.example' });
    expect(searchAttributes(sim.state, sim.now).manager).toBe('alex@vendor.example');
    expect(reportSummary(sim.state, sim.now).manager).toBe('alex@vendor.example');
    expect(sim.view().partnerManager).toEqual({ name: 'Alex Chen', email: 'alex@vendor.example' });
  });
});

describe('other changes', () => {
  it('new contacts get the partner e-mails from then on', () => {
    const sim = new Sim().day(1);
    sim.changeProfile(change({ contacts: [{ role: 'sales', name: 'Rae', email: 'rae@acme.example' }] }));
    sim.day(5);
    expect(sim.sentOf('milestone_reminder:primary_contacts:d7:partner')?.request.to).toEqual([{ name: 'Rae', email: 'rae@acme.example' }]);
  });

  it('a new time zone moves partner e-mails to its business hours', () => {
    const sim = new Sim().day(1);
    sim.changeProfile(change({ timezone: 'Asia/Tokyo' }));
    sim.day(5);
    // Day 4 (Tue 1 Dec) 09:00 UTC is 18:00 in Tokyo: the reminder waits for 09:00 Tokyo, 00:00 UTC.
    expect(iso(sim.sentOf('milestone_reminder:primary_contacts:d7:partner')!.at)).toBe('2026-12-02T00:00:00.000Z');
  });

  it('a second role adds its certification path', () => {
    const sim = new Sim().day(1);
    expect(sim.view().milestones.map((m) => m.id)).not.toContain('technical_certification');
    sim.changeProfile(change({ roles: ['sales', 'technical'] }));
    expect(sim.view().roles).toEqual(['sales', 'technical']);
    expect(sim.view().milestones.map((m) => m.id)).toContain('technical_certification');
  });

  it('a segment change takes the new plan from the contract date, keeps what is done, and opens a checkpoint whose deadline has passed', () => {
    const sim = new Sim().day(1).event('portal_access_granted').event('kickoff_completed');
    sim.day(25).changeProfile(change({ segment: 'transactional', reason: 'self-service partner' }));
    const v = sim.view();
    expect(v.segment).toBe('transactional');
    expect(v.milestones.map((m) => m.id)).toEqual(DEFAULT_TRANSACTIONAL);
    expect(v.milestones.find((m) => m.id === 'portal_access')).toMatchObject({ status: 'done', dueAt: iso(T0 + 2 * DAY) });
    // The transactional foundation ended on day 20: its deadline moves to day 25 (never further into the
    // past), the checkpoint opens at once with its gaps and the full 3-day decision window.
    expect(v.awaitingDecision).toBe(true);
    expect(v.phaseDeadline).toBe(iso(T0 + 25 * DAY));
    expect(v.checkpoints.at(-1)).toMatchObject({ phase: 'foundation', dueAt: iso(T0 + 25 * DAY), gaps: ['agreements_signed', 'business_101_training'] });
    expect(sim.sentOf('checkpoint_summary:foundation:1:manager')).toBeDefined();
    sim.day(27.9);
    expect(sim.view().extensions).toBe(0);
    expect(searchAttributes(sim.state, sim.now).segment).toBe('transactional');
  });

  it('a change to the same values changes nothing', () => {
    const sim = new Sim().day(1);
    expect(changedFields(sim.state, change({ timezone: 'UTC', segment: 'core' }))).toEqual([]);
    const before = JSON.stringify(sim.state);
    sim.changeProfile(change({ segment: 'core' }));
    expect(JSON.stringify(sim.state)).toBe(before);
  });
});

describe('what is refused', () => {
  it('names the invalid field, or why the change cannot apply', () => {
    const bad = parseProfileChange({ by: 'ops', partnerManager: { name: 'X', email: 'not-an-email' }, segment: 'platinum' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['partnerManager.email', 'segment']);
    const empty = parseProfileChange({ by: 'ops' });
    expect(empty.ok ? [] : empty.errors).toEqual([{ field: '(root)', message: expect.stringMatching(/^change at least one of: partnerManager/) }]);
    expect(parseProfileChange({ timezone: 'UTC' }).ok).toBe(false); // who made it is required
    const sim = new Sim().day(1).event('offboarded', { reason: 'contract ended' });
    expect(profileChangeRefusal(sim.state, change({ timezone: 'UTC' }))).toBe('the partner was offboarded: onboarding has ended');
  });
});

const DEFAULT_TRANSACTIONAL = ['portal_access', 'agreements_signed', 'business_101_training', 'first_opportunity_registered', 'first_deal_or_pipeline', 'additional_opportunities'];
