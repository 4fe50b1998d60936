/**
 * The welcome e-mail is a milestone the system completes itself. Its due date
 * ("within 48 hours") counts from the first moment the partner may be e-mailed:
 * the contract, or the run's start when ops enter a contract late, moved to the
 * partner's next business moment (DomainState.sendFromMs). Otherwise our own
 * business-hours rule made it late on every Friday-evening contract, and every
 * contract entered a few days late, and the report named it the top bottleneck.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { reportSummary } from '../../workflows/domain';
import { DAY, Sim, iso, profile } from './harness';

const at = (text: string) => Date.parse(text);
const ACCESS = { systems: ['portal', 'training', 'deal_registration'] };

function milestone(sim: Sim, id: string) {
  return sim.view().milestones.find((m) => m.id === id)!;
}

describe("the welcome e-mail's due date", () => {
  it('a contract signed on Friday evening: the welcome goes out on Monday morning, on time, and the partner stays on track', () => {
    const friday = at('2026-12-04T19:00:00Z');
    const sim = new Sim(profile({ timezone: 'UTC', contractSignedAt: iso(friday) }), DEFAULT_PLAYBOOK, friday);
    // The partner's other 48-hour steps are done at once: the welcome is all that is open on Sunday.
    sim.event('kickoff_completed').event('portal_access_granted', ACCESS);

    sim.until(at('2026-12-06T20:00:00Z')); // Sunday evening: 49 hours after the contract
    expect(sim.keys('welcome')).toEqual([]);
    expect(milestone(sim, 'welcome_email')).toMatchObject({ status: 'pending', dueAt: '2026-12-09T09:00:00.000Z' });
    expect(sim.view().health).toBe('on_track');
    // No wake-up at the contract's 48 hours: nothing changes then.
    expect(sim.wakes).not.toContain(friday + 2 * DAY + 1);

    sim.until(at('2026-12-07T12:00:00Z'));
    expect(sim.sentOf('welcome:partner')?.at).toBe(at('2026-12-07T09:00:00Z'));
    expect(milestone(sim, 'welcome_email')).toMatchObject({ status: 'done', completedAt: '2026-12-07T09:00:00.000Z' });
    expect(reportSummary(sim.state, sim.now).late).toEqual({});
  });

  it('a contract entered ten days after it was signed: the welcome is due two days after entry; what the partner owed stays late', () => {
    const entered = at('2026-12-08T10:00:00Z'); // a Tuesday, in business hours
    const signed = entered - 10 * DAY;
    const sim = new Sim(profile({ timezone: 'UTC', contractSignedAt: iso(signed) }), DEFAULT_PLAYBOOK, entered);
    expect(sim.sentOf('welcome:partner')?.at).toBe(entered);
    expect(milestone(sim, 'welcome_email')).toMatchObject({ status: 'done', dueAt: iso(entered + 2 * DAY) });
    // The kickoff, portal access and contacts were due days ago: those are real gaps, and the report says so.
    sim.event('kickoff_completed');
    expect(reportSummary(sim.state, sim.now).late.foundation?.split(' ')).toEqual(
      expect.arrayContaining(['kickoff_call', 'portal_access', 'primary_contacts']),
    );
    expect(reportSummary(sim.state, sim.now).late.foundation?.split(' ')).not.toContain('welcome_email');
    expect(milestone(sim, 'kickoff_call').dueAt).toBe(iso(signed + 2 * DAY));
  });

  it('still counts late when the partner could not be e-mailed: contacts designated on day 1, the welcome sent on day 3', () => {
    // Friday 09:00 contract without contacts: the welcome waits for them, then for Monday.
    const sim = new Sim(profile({ contacts: undefined }));
    sim.day(1).event('contacts_designated', { contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }] });
    sim.day(4);
    expect(milestone(sim, 'welcome_email')).toMatchObject({ status: 'done', completedAt: iso(sim.sentOf('welcome:partner')!.at) });
    expect(reportSummary(sim.state, sim.now).late.foundation?.split(' ')).toContain('welcome_email');
  });

  it('a run from before the change (no sendFromMs) counts the welcome from the contract, as its history says', () => {
    const friday = at('2026-12-04T19:00:00Z');
    const sim = new Sim(profile({ timezone: 'UTC', contractSignedAt: iso(friday) }), DEFAULT_PLAYBOOK, friday);
    sim.state = { ...sim.state, sendFromMs: undefined };
    sim.event('kickoff_completed').event('portal_access_granted', ACCESS);
    sim.until(at('2026-12-06T20:00:00Z'));
    expect(milestone(sim, 'welcome_email')).toMatchObject({ status: 'overdue', dueAt: iso(friday + 2 * DAY) });
    expect(sim.view().health).toBe('behind');
    expect(sim.wakes).toContain(friday + 2 * DAY + 1);
    sim.until(at('2026-12-07T12:00:00Z'));
    expect(reportSummary(sim.state, sim.now).late).toEqual({ foundation: 'welcome_email' });
  });
});
