/**
 * reportSummary: the compact projection each workflow publishes as memo `report`.
 */
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { initState, reportSummary } from '../../workflows/domain';
import { ReportSummary } from '../../workflows/report';
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

describe('reportSummary', () => {
  it('projects indicators, late milestones by phase, opportunity counts and required progress', () => {
    const sim = new Sim(profile({ segment: 'transactional', role: 'sales' }));
    sim.until(T0 + 20 * HOUR).event('portal_access_granted');
    sim.day(3).event('agreements_signed');
    sim.day(12).event('training_completed', { module: 'business_101' }); // due day 9: late
    sim.day(20).event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.day(21).event('opportunity_registered', { opportunityId: 'opp-2' });
    sim.day(22).event('opportunity_qualified', { opportunityId: 'opp-1' });
    sim.day(25).event('certification_completed', { track: 'sales', passed: false });
    sim.day(26).event('certification_completed', { track: 'sales', passed: true });
    sim.day(30).event('deal_won', { opportunityId: 'opp-1', amount: 20_000 });
    sim.day(31).event('deal_lost', { opportunityId: 'opp-2' });
    sim.day(32).event('survey_completed', { score: 9 });
    sim.day(35);

    const summary = reportSummary(sim.state, sim.now);
    expect(summary).toEqual({
      v: 1,
      segment: 'transactional',
      manager: 'dana@vendor.example',
      contractSignedAt: iso(T0),
      phase: 'momentum', // foundation done day 12, first registration day 20
      health: 'on_track', // only additional_opportunities is open, due day 60
      graduatedAt: null,
      offboardedAt: null,
      planDays: 60,
      indicators: {
        portal: 20,
        training: 12,
        registration: 20,
        engagement: null,
        deal: 30,
        certFirstPass: false,
        certFirst: { attempts: 1, passed: 0 },
        satisfaction: 9,
      },
      late: { foundation: 'business_101_training' },
      // opp-1 registered day 20, qualified, won day 30 (10 days); opp-2 registered and lost
      opps: { registered: 2, qualified: 1, won: 1, lost: 1, wonCycleDays: 10 },
      // all six are required; additional_opportunities (2 more registrations) is open
      required: { done: 5, total: 6 },
    });
    expect(ReportSummary.parse(summary)).toEqual(summary);
  });

  it('lists open milestones past due as late, frozen at the offboarding', () => {
    const sim = new Sim(profile({ segment: 'transactional' }));
    sim.day(8).event('offboarded', { reason: 'no fit' });
    sim.day(40);
    const summary = reportSummary(sim.state, sim.now);
    expect(summary).toMatchObject({
      phase: 'offboarded',
      offboardedAt: iso(T0 + 8 * DAY),
      // at day 8: portal_access (day 2) and agreements_signed (day 7) were overdue, business_101 (day 9) was not
      late: { foundation: 'portal_access agreements_signed' },
      required: { done: 0, total: 6 },
    });
  });

  it('stays near 1 KB even when every milestone of the largest plan is late (a partner with every role)', () => {
    const state = initState(
      profile({
        segment: 'strategic',
        role: undefined,
        roles: ['strategic', 'sales', 'technical'],
        partnerManager: { name: 'M', email: 'partner.manager.long-name@vendor-company.example' },
      }),
      DEFAULT_PLAYBOOK,
      T0,
    );
    const summary = reportSummary(state, T0 + 400 * DAY);
    // A strategic partner with all three roles: every milestone of the playbook's largest plan, all late.
    expect(Object.values(summary.late).join(' ').split(' ')).toHaveLength(DEFAULT_PLAYBOOK.segments.strategic.milestones.length - 2);
    // The worst case, still a small fraction of the 32 KB memo limit.
    expect(JSON.stringify(summary).length).toBeLessThan(1300);
  });
});
