import type { NotificationRequest } from '../../workflows/notifications';
import fc from 'fast-check';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { advance, initState, nextWakeAt, recordDelivery, toView } from '../../workflows/domain';
import { nextBusinessMoment, nextDigestMoment, wallTime } from '../../workflows/domain/businessHours';
import { bundledKeys } from '../../workflows/domain/bundles';
import type { EventType } from '../../workflows/types';
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

const contacts = [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }];
const at = (text: string) => Date.parse(text);
const hours = DEFAULT_PLAYBOOK.businessHours;

describe('business hours: "Mon-Fri 09:00-17:00" in the partner\'s time zone', () => {
  it.each([
    ['inside hours stays', '2026-12-02T10:30:00Z', 'UTC', '2026-12-02T10:30:00.000Z'],
    ['before opening waits for 09:00 local', '2026-11-27T09:00:00Z', 'America/Los_Angeles', '2026-11-27T17:00:00.000Z'],
    ['Friday evening waits for Monday', '2026-12-05T01:30:00Z', 'America/Los_Angeles', '2026-12-07T17:00:00.000Z'],
    ['Saturday in Berlin waits for Monday 09:00 CET', '2026-12-05T12:00:00Z', 'Europe/Berlin', '2026-12-07T08:00:00.000Z'],
    ['across the switch to summer time', '2027-03-27T12:00:00Z', 'Europe/Berlin', '2027-03-29T07:00:00.000Z'],
    ['17:00 local is closed', '2026-12-02T16:00:00Z', 'Europe/Berlin', '2026-12-03T08:00:00.000Z'],
    ['a day ahead of UTC', '2026-12-06T20:00:00Z', 'Pacific/Auckland', '2026-12-06T20:00:00.000Z'],
  ])('%s', (_, from, tz, expected) => {
    expect(iso(nextBusinessMoment(at(from), tz, hours))).toBe(expected);
  });

  it('reads the wall clock as Intl does, however often and in whatever order it is asked (its answers are cached)', () => {
    // An oracle by another route: sv-SE formats as "2026-12-02 10:30:00".
    const oracle = (ms: number, timeZone: string) => {
      const [date, time] = new Date(ms).toLocaleString('sv-SE', { timeZone, hourCycle: 'h23' }).split(' ');
      const [y, mo, d] = date!.split('-').map(Number);
      const [h, mi, sec] = time!.split(':').map(Number);
      const asUtcMs = Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!) + (ms % 1000);
      return { asUtcMs, hour: h, weekday: new Date(asUtcMs).getUTCDay() || 7 };
    };
    const zones = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    const instant = fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2028-12-31T00:00:00Z') });
    fc.assert(
      fc.property(fc.array(fc.tuple(instant, fc.constantFrom(...zones)), { minLength: 1, maxLength: 40 }), (asks) => {
        // Each asked twice (the second from the cache); a caller changing an answer changes no later one.
        for (const [ms, tz] of [...asks, ...asks]) {
          const answer = wallTime(ms, tz);
          expect(answer).toEqual(oracle(ms, tz));
          answer.hour = -1;
        }
      }),
      { numRuns: 120 }, // 120 x up to 80 asks: past the cache's bound, so evictions are read back too
    );
  });

  it('digests go out at 09:00 UTC', () => {
    expect(iso(nextDigestMoment(at('2026-12-02T08:59:00Z'), 9))).toBe('2026-12-02T09:00:00.000Z');
    expect(iso(nextDigestMoment(at('2026-12-02T09:00:00Z'), 9))).toBe('2026-12-02T09:00:00.000Z');
    expect(iso(nextDigestMoment(at('2026-12-02T09:00:01Z'), 9))).toBe('2026-12-03T09:00:00.000Z');
  });

  it('defers a partner e-mail across the weekend, and wakes exactly then', () => {
    // Los Angeles partner: the contract (Friday 01:00 local) welcome waits for 09:00 local.
    const sim = new Sim(profile({ timezone: 'America/Los_Angeles' }));
    expect(sim.keys('welcome')).toEqual([]);
    sim.until(at('2026-11-27T17:00:00Z'));
    expect(sim.sentOf('welcome:partner')?.at).toBe(at('2026-11-27T17:00:00Z'));
    // A gated registration on Friday 17:30 local: the e-mail goes out Monday 09:00 local.
    sim.until(at('2026-12-05T01:30:00Z')).event('opportunity_registered', { opportunityId: 'opp-1' }, { eventId: 'crm-1' });
    expect(nextWakeAt(sim.state, sim.now)).toBeLessThanOrEqual(at('2026-12-07T17:00:00Z'));
    sim.until(at('2026-12-08T00:00:00Z'));
    expect(sim.sentOf('registration_gated:crm-1:partner')?.at).toBe(at('2026-12-07T17:00:00Z'));
  });

  it('does not send a deferred reminder whose reason is gone by Monday', () => {
    // Day 16 (business_101 two days overdue) is a Sunday; the partner finishes it before Monday.
    const sim = new Sim().day(16.5).event('training_completed', { module: 'business_101' });
    sim.day(20);
    expect(sim.keys('training_stalled_partner')).toEqual([]);
  });
});

describe('reminders and escalations from the playbook', () => {
  it('wakes exactly when something is due or changes', () => {
    const sim = new Sim(profile()).day(18);
    const days = (ms: number) => (ms - T0) / DAY;
    expect(sim.wakes.map(days)).toEqual([2, 2 + 1 / DAY, 4, 7 + 1 / DAY, 11, 12, 14 + 1 / DAY, 16 + 1 / DAY, 17]);
    expect(sim.sent.map((s) => [days(s.at), s.request.key])).toEqual([
      [0, 'vendor_milestone_due:portal_access:d2:manager'],
      [0, 'welcome:partner'],
      [2, 'access_overdue:manager'],
      [4, 'milestone_reminder:primary_contacts:d7:partner'],
      [11, 'milestone_reminder:opportunity_discovery:d14:partner'],
      [12, 'vendor_milestone_due:target_account_lists:d14:manager'],
      [12, 'week2_checkin:manager'],
      [16 + 1 / DAY, 'at_risk:1:escalation'],
      // two days after Business 101 was due is a Sunday
      [17, 'training_stalled_partner:business_101_training:d14:partner'],
    ]);
    sim.day(20);
    expect(sim.sentOf('training_stalled_manager:business_101_training:d14:manager')?.at).toBe(T0 + 19 * DAY);
  });

  it('catches up once on a backdated contract, but skips "due soon" reminders whose moment has passed', () => {
    const sim = new Sim(profile(), DEFAULT_PLAYBOOK, T0 + 20 * DAY); // signed 20 days before tracking starts
    expect(sim.keys()).toEqual([
      'welcome:partner',
      'access_overdue:manager',
      'week2_checkin:manager',
      'training_stalled_partner:business_101_training:d14:partner',
      'training_stalled_manager:business_101_training:d14:manager',
      'at_risk:1:escalation',
    ]);
    sim.day(28);
    // Both due on day 30: one e-mail (workflows/domain/bundles.ts).
    expect(sim.keys('milestone_reminder')).toEqual(['milestone_reminder:product_training:d30+product_assessment:d30:partner']);
    expect(sim.carrying('milestone_reminder:product_training:d30:partner')?.at).toBe(T0 + 27 * DAY);
  });

  it('sends no access escalation when portal and kickoff are done within 48 hours', () => {
    const sim = new Sim().day(1.9).event('portal_access_granted').event('kickoff_completed').day(3);
    expect(sim.keys('access_overdue')).toEqual([]);
  });

  it('reminds the partner only of their own required milestones', () => {
    // Stuck in foundation: two default extensions move the last due dates to day 118.
    const sim = new Sim().day(120);
    const reminded = sim.keys('milestone_reminder').flatMap(bundledKeys).map((k) => k.split(':')[1]);
    const partnerRequired = DEFAULT_PLAYBOOK.segments.core.milestones
      .filter((m) => m.owner === 'partner' && m.requiredAtCheckpoint && !m.forAdditionalRole)
      .map((m) => m.id);
    expect(reminded.sort()).toEqual([...partnerRequired].sort());
  });

  it('carries what the template needs: the milestone by title and due date, the partner, the program', () => {
    const sim = new Sim().day(4);
    expect(sim.sentOf('milestone_reminder:primary_contacts:d7:partner')?.request).toEqual({
      key: 'milestone_reminder:primary_contacts:d7:partner',
      kind: 'milestone_reminder',
      channel: 'email',
      to: [{ name: 'Lee', email: 'lee@acme.example' }],
      data: {
        milestone: {
          id: 'primary_contacts',
          title: 'Primary contacts designated',
          dueAt: iso(T0 + 7 * DAY),
          phase: 'foundation',
          owner: 'partner',
          required: true,
        },
        overdue: false,
      },
      partner: {
        partnerId: 'acme-cloud',
        name: 'Acme Cloud GmbH',
        segment: 'core',
        role: 'sales',
        phase: 'foundation',
        day: 4,
        timezone: 'UTC',
        manager: { name: 'Dana Ruiz', email: 'dana@vendor.example' },
      },
      program: DEFAULT_PLAYBOOK.program,
      // A reminder is not essential, and the workflow requests it again after a recipient's quiet hours.
      deferrable: true,
    });
  });
});

describe('partner without contacts yet', () => {
  it('tells the manager once, and sends the welcome e-mail when contacts are designated', () => {
    const sim = new Sim(profile({ contacts: undefined }));
    expect(sim.sent.map((s) => [s.request.key, s.request.channel, s.request.kind])).toEqual([
      ['vendor_milestone_due:portal_access:d2:manager', 'slack', 'vendor_milestone_due'],
      ['no_partner_contacts:manager', 'slack', 'partner_contacts_missing'],
    ]);
    expect(sim.sentOf('no_partner_contacts:manager')?.request.data).toEqual({ waiting: 'welcome', since: iso(T0) });
    // Saturday: designated, but the e-mail waits for Monday 09:00 UTC.
    sim.day(1).event('contacts_designated', { contacts });
    sim.day(4);
    expect(sim.sentOf('welcome:partner')).toMatchObject({ at: T0 + 3 * DAY, request: { to: [{ email: 'lee@acme.example' }] } });
    expect(sim.view().milestones.find((m) => m.id === 'welcome_email')?.completedAt).toBe(iso(T0 + 3 * DAY));
    expect(sim.keys('welcome')).toHaveLength(1);
  });
});

describe('requests and deliveries', () => {
  it('returns each request once, even before its delivery is recorded', () => {
    const first = advance(initState(profile(), DEFAULT_PLAYBOOK, T0), T0);
    expect(first.requests.map((r) => r.key)).toEqual(['vendor_milestone_due:portal_access:d2:manager', 'welcome:partner']);
    expect(advance(first.state, T0).requests).toEqual([]);
    expect(advance(first.state, T0 + HOUR).requests).toEqual([]);
  });

  it('records sent and failed deliveries; only a delivered welcome completes its milestone', () => {
    const { state } = advance(initState(profile(), DEFAULT_PLAYBOOK, T0), T0);
    const failed = recordDelivery(state, { key: 'welcome:partner', status: 'failed', error: 'invalid address' }, T0 + 5000);
    const view = toView(failed, T0 + 5000);
    expect(view.notifications).toEqual([
      { key: 'welcome:partner', channel: 'email', kind: 'welcome', to: 'lee@acme.example', at: iso(T0 + 5000), status: 'failed', error: 'invalid address' },
    ]);
    expect(view.milestones[0]).toMatchObject({ id: 'welcome_email', status: 'pending' });
    expect(recordDelivery(failed, { key: 'welcome:partner', status: 'sent' }, T0 + 6000)).toBe(failed);
    expect(recordDelivery(state, { key: 'nope', status: 'sent' }, T0)).toBe(state);
  });
});

describe('daily digest per partner, as runs started before the one digest across partners do', () => {
  it('buffers Slack pings and sends one digest at 09:00 UTC; escalations go out at once', () => {
    const signed = at('2026-11-27T14:00:00Z'); // Friday afternoon
    const p = profile({
      contractSignedAt: iso(signed),
      partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0123', digest: true },
    });
    const sim = new Sim(p, DEFAULT_PLAYBOOK, signed, { legacyDigest: true });
    sim.until(at('2026-11-28T10:00:00Z')).event('training_completed', { module: 'business_101' });
    sim.until(at('2026-11-30T10:00:00Z')).event('opportunity_registered', { opportunityId: 'opp-1' });
    sim.until(at('2026-11-30T11:00:00Z')).event('opportunity_registered', { opportunityId: 'opp-2' });
    sim.until(at('2026-12-02T12:00:00Z'));
    expect(sim.sent.map((s) => [iso(s.at), s.request.key])).toEqual([
      ['2026-11-27T14:00:00.000Z', 'welcome:partner'],
      ['2026-11-28T09:00:00.000Z', 'manager_digest:1'],
      ['2026-11-30T09:00:00.000Z', 'manager_digest:2'],
      ['2026-12-01T09:00:00.000Z', 'manager_digest:3'],
      ['2026-12-01T14:00:00.000Z', 'milestone_reminder:primary_contacts:d7:partner'],
      ['2026-12-02T09:00:00.000Z', 'manager_digest:4'],
      ['2026-12-02T10:00:00.000Z', 'opportunity_sla_escalation:opp-1:escalation'],
      ['2026-12-02T11:00:00.000Z', 'opportunity_sla_escalation:opp-2:escalation'],
    ]);
    const digest = (key: string) => sim.sentOf(key)?.request;
    expect(digest('manager_digest:2')).toMatchObject({
      kind: 'manager_digest',
      channel: 'slack',
      to: { userId: 'U0123', label: 'dana@vendor.example' },
      data: { items: [{ key: 'access_overdue:manager', kind: 'access_overdue', at: '2026-11-29T14:00:00.000Z' }] },
    });
    expect([1, 2, 3, 4].map((n) => digestKeys(digest(`manager_digest:${n}`)))).toEqual([
      ['vendor_milestone_due:portal_access:d2:manager'],
      ['access_overdue:manager'],
      ['first_deal_support:manager'],
      ['opportunity_sla_manager:opp-1:manager', 'opportunity_sla_manager:opp-2:manager'],
    ]);
  });
});

function digestKeys(request: NotificationRequest | undefined): string[] {
  return request?.kind === 'manager_digest' ? request.data.items.map((i) => i.key) : [];
}

describe('offboarding with a digest pending', () => {
  it('flushes the digest at once: nothing wakes up later', () => {
    const signed = at('2026-11-27T14:00:00Z');
    const p = profile({ contractSignedAt: iso(signed), partnerManager: { name: 'Dana', email: 'dana@vendor.example', digest: true } });
    const sim = new Sim(p, DEFAULT_PLAYBOOK, signed, { legacyDigest: true });
    sim.until(at('2026-11-29T20:00:00Z')).event('offboarded', { reason: 'contract terminated' });
    expect(sim.keys()).toEqual(['welcome:partner', 'manager_digest:1', 'manager_digest:2']);
    expect(digestKeys(sim.sentOf('manager_digest:2')?.request)).toEqual(['access_overdue:manager', 'offboarded:manager']);
    expect(sim.sentOf('manager_digest:2')?.request.to).toEqual({ label: 'dana@vendor.example' });
  });
});

describe('nextWakeAt', () => {
  it('is null once offboarded, and after graduation only the reviews remain', () => {
    const sim = new Sim().event('offboarded', { reason: 'test' });
    expect(nextWakeAt(sim.state, sim.now)).toBeNull();
  });

  const commands = fc.array(
    fc.oneof(
      fc.record({ wait: fc.integer({ min: 1, max: 20 * DAY }) }),
      fc.record({
        type: fc.constantFrom<EventType>(
          'kickoff_completed',
          'portal_access_granted',
          'training_completed',
          'opportunity_registered',
          'opportunity_acknowledged',
          'checkpoint_decision',
          'community_event_attended',
        ),
        n: fc.integer({ min: 1, max: 3 }),
      }),
    ),
    { maxLength: 25 },
  );
  const dataFor = (type: EventType, n: number): unknown =>
    ({
      training_completed: { module: ['business_101', 'product', 'co_selling'][n - 1] },
      opportunity_registered: { opportunityId: `opp-${n}` },
      opportunity_acknowledged: { opportunityId: `opp-${n}` },
      checkpoint_decision: { decision: ['advance', 'extend', 'extend'][n - 1] },
    })[type as string];

  it('after advance, is strictly in the future, and nothing happens before it', () => {
    fc.assert(
      fc.property(commands, fc.constantFrom('UTC', 'Asia/Tokyo', 'America/New_York'), fc.boolean(), (cmds, timezone, digest) => {
        const sim = new Sim(
          profile({ timezone, partnerManager: { name: 'D', email: 'd@vendor.example', digest }, contractSignedAt: iso(T0 + 7 * HOUR) }),
        );
        for (const cmd of cmds) {
          if ('wait' in cmd) sim.until(sim.now + cmd.wait);
          else sim.event(cmd.type, dataFor(cmd.type, cmd.n));
          const wake = nextWakeAt(sim.state, sim.now);
          if (wake === null) continue;
          expect(wake).toBeGreaterThan(sim.now);
          const justBefore = wake - 1;
          if (justBefore > sim.now) {
            const early = advance(sim.state, justBefore);
            expect(early.requests).toEqual([]);
            expect(toView(early.state, justBefore).health).toBe(toView(sim.state, sim.now).health);
            expect(toView(early.state, justBefore).phase).toBe(sim.view().phase);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
