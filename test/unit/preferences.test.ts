/**
 * Notification preferences, the pure parts: the rules that decide per
 * recipient (essential, unsubscribed, turned off, quiet hours), the change the
 * recipientPreferences workflow validates (held to the API's zod schema with
 * generated inputs), the signed links, the playbook's `essential` flag, and what
 * the domain does with `suppressed` and `deferred` answers.
 */
import fc from 'fast-check';
import { preferenceLinks } from '../../client/preferences';
import { recipientId } from '../../activities/recipients';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { NOTIFICATION_KINDS, type NotificationRequest } from '../../workflows/notifications';
import { parsePlaybook } from '../../workflows/playbook';
import { PreferencesChange, type Preferences } from '../../workflows/preferences';
import { DEFAULT_PREFERENCES, applyChange, checkChange, decideDelivery, quietHoursEnd, type DeliveryFacts } from '../../workflows/preferencePolicy';
import { nextWakeAt } from '../../workflows/domain';
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

const reminder: DeliveryFacts = { kind: 'milestone_reminder', channel: 'email', essential: false, deferrable: true };
const prefs = (p: Partial<Preferences>): Preferences => ({ ...DEFAULT_PREFERENCES, ...p });
const nightsInBerlin = { start: '20:00', end: '07:00', timezone: 'Europe/Berlin' };

describe('who gets a message, and when', () => {
  // Tue 1 Dec 2026, 22:30 in Berlin (CET, UTC+1).
  const night = Date.parse('2026-12-01T21:30:00Z');
  const noon = Date.parse('2026-12-01T11:00:00Z');

  it('sends by default', () => {
    expect(decideDelivery([DEFAULT_PREFERENCES], reminder, noon)).toEqual({ action: 'send' });
  });

  it('an unsubscribed recipient, or one who turned off the kind or the channel, gets nothing that is not essential', () => {
    expect(decideDelivery([prefs({ unsubscribed: true })], reminder, noon)).toEqual({ action: 'suppress', reason: 'unsubscribed' });
    expect(decideDelivery([prefs({ mutedKinds: ['milestone_reminder'] })], reminder, noon)).toEqual({
      action: 'suppress',
      reason: 'milestone_reminder turned off',
    });
    expect(decideDelivery([prefs({ mutedChannels: ['email'] })], reminder, noon)).toEqual({ action: 'suppress', reason: 'e-mail turned off' });
    expect(decideDelivery([prefs({ mutedChannels: ['slack'] })], reminder, noon)).toEqual({ action: 'send' });
    expect(decideDelivery([prefs({ mutedKinds: ['survey_request'] })], reminder, noon)).toEqual({ action: 'send' });
  });

  it('essential messages reach everyone at once: unsubscribed, turned off or in quiet hours', () => {
    const all = prefs({ unsubscribed: true, mutedKinds: ['welcome'], mutedChannels: ['email'], quietHours: nightsInBerlin });
    expect(decideDelivery([all], { kind: 'welcome', channel: 'email', essential: true, deferrable: true }, night)).toEqual({ action: 'send' });
  });

  it('quiet hours hold back what can wait until they end, in the recipient\'s time zone', () => {
    expect(decideDelivery([prefs({ quietHours: nightsInBerlin })], reminder, night)).toEqual({
      action: 'defer',
      untilMs: Date.parse('2026-12-02T06:00:00Z'), // 07:00 in Berlin
    });
    expect(decideDelivery([prefs({ quietHours: nightsInBerlin })], reminder, noon)).toEqual({ action: 'send' });
  });

  it('without a caller to request it again, quiet hours do not hold a message back (turned-off kinds still do)', () => {
    const once = { ...reminder, deferrable: false };
    expect(decideDelivery([prefs({ quietHours: nightsInBerlin })], once, night)).toEqual({ action: 'send' });
    expect(decideDelivery([prefs({ unsubscribed: true })], once, night)).toMatchObject({ action: 'suppress' });
  });

  it('a manager known by e-mail and by Slack id: either record turns it off; it waits for the later quiet hours', () => {
    const slack: DeliveryFacts = { kind: 'first_deal_support', channel: 'slack', essential: false, deferrable: true };
    expect(decideDelivery([DEFAULT_PREFERENCES, prefs({ mutedChannels: ['slack'] })], slack, noon)).toMatchObject({ action: 'suppress' });
    const early = prefs({ quietHours: { start: '20:00', end: '06:00', timezone: 'Europe/Berlin' } });
    const late = prefs({ quietHours: { start: '21:00', end: '08:00', timezone: 'Europe/Berlin' } });
    expect(decideDelivery([early, late], slack, night)).toEqual({ action: 'defer', untilMs: Date.parse('2026-12-02T07:00:00Z') });
  });
});

describe('quiet hours', () => {
  it('span midnight: before midnight they end the next morning, after midnight the same morning', () => {
    const q = { start: '22:00', end: '06:30', timezone: 'America/New_York' };
    // 23:00 and 02:00 in New York (EST, UTC-5) on 1-2 Dec 2026.
    expect(quietHoursEnd(q, Date.parse('2026-12-02T04:00:00Z'))).toBe(Date.parse('2026-12-02T11:30:00Z'));
    expect(quietHoursEnd(q, Date.parse('2026-12-02T07:00:00Z'))).toBe(Date.parse('2026-12-02T11:30:00Z'));
    expect(quietHoursEnd(q, Date.parse('2026-12-02T12:00:00Z'))).toBeNull();
  });

  it('within one day: from start (inclusive) to end (exclusive)', () => {
    const q = { start: '12:00', end: '14:00', timezone: 'UTC' };
    expect(quietHoursEnd(q, Date.parse('2026-12-02T12:00:00Z'))).toBe(Date.parse('2026-12-02T14:00:00Z'));
    expect(quietHoursEnd(q, Date.parse('2026-12-02T13:59:59Z'))).toBe(Date.parse('2026-12-02T14:00:00Z'));
    expect(quietHoursEnd(q, Date.parse('2026-12-02T14:00:00Z'))).toBeNull();
    expect(quietHoursEnd(q, Date.parse('2026-12-02T11:59:59Z'))).toBeNull();
  });

  it('follow daylight saving time: the end is on the local clock', () => {
    const q = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };
    // The night of 27 to 28 March 2027: CET until 02:00, CEST after.
    expect(quietHoursEnd(q, Date.parse('2027-03-27T22:00:00Z'))).toBe(Date.parse('2027-03-28T05:00:00Z'));
    // An end the clock skips (02:30 on that night) ends at the first moment after the gap, never before now.
    const skipped = { start: '01:00', end: '02:30', timezone: 'Europe/Berlin' };
    const now = Date.parse('2027-03-28T00:45:00Z'); // 01:45 CET
    const end = quietHoursEnd(skipped, now)!;
    expect(end).toBeGreaterThan(now);
    expect(end - now).toBeLessThanOrEqual(2 * HOUR);
  });
});

describe('a change, as the workflow validates and applies it', () => {
  it('names every invalid field', () => {
    expect(checkChange({ unsubscribed: 'yes', mutedKinds: ['nope'], mutedChannels: ['fax'], quietHours: { start: '25:00', end: '07:00', timezone: 'Mars/Base' } })).toEqual([
      { field: 'unsubscribed', message: 'must be true or false' },
      { field: 'mutedKinds[0]', message: expect.stringMatching(/^must be one of: welcome, /) },
      { field: 'mutedChannels[0]', message: 'must be one of: email, slack' },
      { field: 'quietHours.start', message: 'must be a time of day as HH:MM (24-hour clock), e.g. 20:00' },
      { field: 'quietHours.timezone', message: 'must be an IANA time zone, e.g. Europe/Berlin' },
    ]);
    expect(checkChange({ by: 'Dana' })).toEqual([
      { field: '(root)', message: 'must change at least one of unsubscribed, mutedKinds, mutedChannels, quietHours' },
    ]);
    expect(checkChange({ quietHours: { start: '07:00', end: '07:00', timezone: 'UTC' } })).toEqual([{ field: 'quietHours.end', message: 'must differ from start' }]);
    expect(checkChange('unsubscribe me')).toEqual([{ field: '(root)', message: 'must be an object' }]);
  });

  it('accepts exactly what the API accepts (generated changes, valid and broken)', () => {
    const time = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
      fc.constantFrom('24:00', '7:00', '07:60', '', 'noon'),
    );
    const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Mars/Base', '', 'berlin');
    // Mostly well-typed values (so that a fair share of changes is valid), sometimes anything at all.
    const field = <T>(arb: fc.Arbitrary<T>) =>
      fc.option(fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: fc.anything({ maxDepth: 1 }), weight: 1 }), { nil: undefined, freq: 2 });
    const change = fc.record(
      {
        unsubscribed: field(fc.boolean()),
        mutedKinds: field(fc.array(fc.oneof(fc.constantFrom(...NOTIFICATION_KINDS), fc.string()), { maxLength: 30 })),
        mutedChannels: field(fc.array(fc.constantFrom('email', 'slack', 'sms'), { maxLength: 3 })),
        quietHours: field(fc.oneof(fc.constant(null), fc.record({ start: time, end: time, timezone: zone }))),
        by: field(fc.string({ maxLength: 210 })),
      },
      { requiredKeys: [] },
    );
    const outcomes = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.oneof(change, fc.anything({ maxDepth: 2 })), (raw) => {
        const valid = PreferencesChange.safeParse(raw).success;
        outcomes[valid ? 'valid' : 'invalid'] += 1;
        expect(checkChange(raw).length === 0).toBe(valid);
      }),
      { numRuns: 2000 },
    );
    // Both sides were exercised.
    expect(outcomes.valid).toBeGreaterThan(200);
    expect(outcomes.invalid).toBeGreaterThan(200);
  });

  it('replaces the fields it gives, without duplicates; null clears the quiet hours', () => {
    const before = prefs({ mutedKinds: ['survey_request'], quietHours: nightsInBerlin });
    expect(applyChange(before, { mutedKinds: ['welcome', 'survey_request', 'welcome'] })).toEqual({
      ...before,
      mutedKinds: ['survey_request', 'welcome'],
    });
    expect(applyChange(before, { unsubscribed: true })).toEqual({ ...before, unsubscribed: true });
    expect(applyChange(before, { quietHours: null })).toEqual({ ...before, quietHours: null });
  });
});

describe('signed links', () => {
  const links = preferenceLinks({ secrets: ['a'.repeat(32)], publicUrl: 'https://onboarding.example.com/' });
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('carry the recipient id and a masked address, and point at the public URL', () => {
    const url = new URL(links.url(' Lee.Park@Acme.example ', now));
    expect(`${url.origin}${url.pathname}`).toBe('https://onboarding.example.com/unsubscribe');
    const verified = links.verify(url.searchParams.get('token')!, now);
    expect(verified).toEqual({ ok: true, recipientId: recipientId('lee.park@acme.example'), hint: 'L***@Acme.example', expiresAt: expect.any(String) });
    expect(url.toString()).not.toMatch(/lee|park/i);
  });

  it('are the same for every attempt on one day (a retried delivery renders the same e-mail)', () => {
    expect(links.token('lee@acme.example', now)).toBe(links.token('lee@acme.example', now + 3 * HOUR));
  });

  it('refuse a changed payload or signature, another secret, and an incomplete token', () => {
    const token = links.token('lee@acme.example', now);
    const [payload, signature] = token.split('.') as [string, string];
    const other = links.token('kim@acme.example', now).split('.')[0]!;
    expect(links.verify(`${other}.${signature}`, now)).toEqual({ ok: false, reason: 'signature' });
    const flipped = signature[0] === 'A' ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(links.verify(`${payload}.${flipped}`, now)).toEqual({ ok: false, reason: 'signature' });
    const foreign = preferenceLinks({ secrets: ['b'.repeat(32)], publicUrl: 'https://x.example' });
    expect(foreign.verify(token, now)).toEqual({ ok: false, reason: 'signature' });
    for (const broken of ['', payload, `${payload}.`, `${payload}.${signature}.x`, `${payload}.${signature.slice(1)}`, 'a.b']) {
      expect(links.verify(broken, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuse every other spelling of a signature: the last character carries 2 unused bits, and only the spelling the API wrote is accepted', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = links.token('lee@acme.example', now);
    const [payload, signature] = token.split('.') as [string, string];
    const last = alphabet.indexOf(signature.at(-1)!);
    // The 3 characters whose 4 high bits are the same (they decode to the same 32 bytes).
    const spellings = [1, 2, 3].map((low) => `${payload}.${signature.slice(0, -1)}${alphabet[last + low]}`);
    for (const spelled of spellings) {
      expect(Buffer.from(spelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
      expect(links.verify(spelled, now)).toEqual({ ok: false, reason: 'signature' });
    }
    expect(links.verify(token, now).ok).toBe(true);
  });

  it('expire after a year; a rotated secret still verifies the links it signed', () => {
    const token = links.token('lee@acme.example', now);
    expect(links.verify(token, now + 364 * DAY).ok).toBe(true);
    expect(links.verify(token, now + 366 * DAY)).toEqual({ ok: false, reason: 'expired' });
    const rotated = preferenceLinks({ secrets: ['c'.repeat(32), 'a'.repeat(32)], publicUrl: 'https://x.example' });
    expect(rotated.verify(token, now).ok).toBe(true);
    expect(links.verify(rotated.token('lee@acme.example', now), now)).toEqual({ ok: false, reason: 'signature' });
  });
});

describe('essential rules in the playbook', () => {
  const core = DEFAULT_PLAYBOOK.segments.core;

  it('the default playbook marks what must reach people who unsubscribed', () => {
    const essential = core.notifications.filter((r) => r.essential).map((r) => r.id);
    expect(essential.sort()).toEqual(
      [
        'at_risk',
        'checkpoint_extended',
        'checkpoint_summary',
        'manager_handover',
        'offboarded',
        'opportunity_sla_escalation',
        'opportunity_sla_manager',
        'registration_gated',
        'success_handover',
        'welcome',
      ].sort(),
    );
  });

  it('refuses essential: false on the SLA kinds, naming the rule', () => {
    const i = core.notifications.findIndex((r) => r.kind === 'opportunity_sla_manager');
    const notifications = core.notifications.map((r, j) => (j === i ? { ...r, essential: false } : r));
    const parsed = parsePlaybook({ ...DEFAULT_PLAYBOOK, segments: { ...DEFAULT_PLAYBOOK.segments, core: { ...core, notifications } } });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        {
          field: `segments.core.notifications[${i}].essential`,
          message: 'opportunity_sla_manager messages are always essential: a recipient\'s preferences cannot turn off the opportunity SLA',
        },
      ],
    });
    expect(parsePlaybook({ ...DEFAULT_PLAYBOOK, segments: { ...DEFAULT_PLAYBOOK.segments, core: { ...core, notifications: core.notifications.map((r) => ({ ...r, essential: 'yes' })) } } }).ok).toBe(false);
  });

  it('requests say it: the welcome and the SLA are essential, reminders are not; partners pinned to a playbook without the flag keep the defaults', () => {
    const request = (sim: Sim, kind: string) => sim.sent.find((s) => s.request.kind === kind)?.request;
    const sim = new Sim().day(4);
    expect(request(sim, 'welcome')).toMatchObject({ essential: true, deferrable: true });
    expect(request(sim, 'milestone_reminder')).not.toHaveProperty('essential');

    const unflagged = { ...DEFAULT_PLAYBOOK, segments: { ...DEFAULT_PLAYBOOK.segments, core: { ...core, notifications: core.notifications.map(({ essential: _e, ...r }) => r) } } };
    const old = new Sim(profile(), unflagged).day(4);
    expect(request(old, 'welcome')).toMatchObject({ essential: true });
    expect(request(old, 'milestone_reminder')).not.toHaveProperty('essential');

    const optedOut = { ...DEFAULT_PLAYBOOK, segments: { ...DEFAULT_PLAYBOOK.segments, core: { ...core, notifications: core.notifications.map((r) => (r.kind === 'welcome' ? { ...r, essential: false } : r)) } } };
    expect(request(new Sim(profile(), optedOut), 'welcome')).not.toHaveProperty('essential');
  });

  it('a digest manager\'s digest is essential when one of its pings is (runs from before the one digest across partners)', () => {
    const digestProfile = profile({ partnerManager: { name: 'Dana Ruiz', email: 'dana@vendor.example', slackUserId: 'U0123', digest: true } });
    // A registration left unanswered: its SLA ping lands in a digest next to ordinary pings. Only runs started
    // before the cross-partner digest flush a digest of their own (new runs: test/activities/managerDigests.test.ts).
    const sim = new Sim(digestProfile, DEFAULT_PLAYBOOK, T0, { legacyDigest: true })
      .event('training_completed', { module: 'business_101' })
      .event('opportunity_registered', { opportunityId: 'opp-1' })
      .day(3);
    const digests = sim.sent.filter((s) => s.request.kind === 'manager_digest').map((s) => s.request);
    expect(digests.map((d) => d.essential === true)).toContain(true);
    expect(digests.map((d) => d.essential === true)).toContain(false);
    for (const d of digests) {
      const items = (d.data as { items: { kind: string }[] }).items.map((i) => i.kind);
      const expected = items.some((k) => ['opportunity_sla_manager', 'checkpoint_summary', 'checkpoint_extended', 'offboarded', 'partner_contacts_missing'].includes(k));
      expect(d.essential === true).toBe(expected);
      expect(d).not.toHaveProperty('deferrable');
    }
  });
});

describe('the domain records what preferences did', () => {
  const REMINDER = 'milestone_reminder:primary_contacts:d7:partner';
  const at = (sim: Sim, key: string) => sim.sent.filter((s) => s.request.key === key).map((s) => s.at);
  const answer = (key: string, result: (r: NotificationRequest, now: number) => object) => (r: NotificationRequest, now: number) =>
    r.key === key ? { key: r.key, ...result(r, now) } : { key: r.key, status: 'sent' as const };

  it('suppressed: recorded with its reason, and never requested again', () => {
    const sim = new Sim();
    sim.deliver = answer(REMINDER, () => ({ status: 'suppressed', reason: 'unsubscribed' })) as Sim['deliver'];
    sim.day(20);
    expect(at(sim, REMINDER)).toEqual([T0 + 4 * DAY]);
    expect(sim.view().notifications.find((n) => n.key === REMINDER)).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
  });

  it('deferred: recorded with its time, requested again then with the same key, and sent once', () => {
    const sim = new Sim();
    let deferred = false;
    sim.deliver = ((r: NotificationRequest, now: number) => {
      if (r.key !== REMINDER || deferred) return { key: r.key, status: 'sent' };
      deferred = true;
      return { key: r.key, status: 'deferred', reason: 'quiet hours', retryAt: iso(now + 5 * HOUR) };
    }) as Sim['deliver'];
    sim.day(4);
    expect(sim.view().notifications.find((n) => n.key === REMINDER)).toMatchObject({ status: 'deferred', until: iso(T0 + 4 * DAY + 5 * HOUR) });
    expect(nextWakeAt(sim.state, sim.now)).toBe(T0 + 4 * DAY + 5 * HOUR);
    sim.day(10);
    expect(at(sim, REMINDER)).toEqual([T0 + 4 * DAY, T0 + 4 * DAY + 5 * HOUR]);
    expect(sim.view().notifications.filter((n) => n.key === REMINDER).map((n) => n.status)).toEqual(['deferred', 'sent']);
    expect(sim.state.deferrals).toEqual([]);
  });

  it('sent to some while others are in quiet hours: requested again for them', () => {
    const sim = new Sim();
    let first = true;
    sim.deliver = ((r: NotificationRequest, now: number) => {
      if (r.key !== REMINDER || !first) return { key: r.key, status: 'sent' };
      first = false;
      return { key: r.key, status: 'sent', reason: '1 of 2 recipients: quiet hours', retryAt: iso(now + 2 * HOUR) };
    }) as Sim['deliver'];
    sim.day(5);
    expect(at(sim, REMINDER)).toEqual([T0 + 4 * DAY, T0 + 4 * DAY + 2 * HOUR]);
  });

  it('a deferred message about something that happened (the next phase) is kept until it goes out', () => {
    const sim = new Sim().day(1);
    let deferred = false;
    sim.deliver = ((r: NotificationRequest, now: number) => {
      if (r.kind !== 'phase_advanced' || deferred) return { key: r.key, status: 'sent' };
      deferred = true;
      return { key: r.key, status: 'deferred', reason: 'quiet hours', retryAt: iso(now + 3 * HOUR) };
    }) as Sim['deliver'];
    // Every required foundation milestone done: the partner moves to activation and hears of it.
    sim
      .event('portal_access_granted')
      .event('contacts_designated', { contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }] })
      .event('opportunity_identified', { opportunityId: 'opp-1' })
      .event('training_completed', { module: 'product' })
      .event('assessment_completed', { assessment: 'product', score: 90 });
    expect(sim.view().phase).toBe('activation');
    sim.day(4); // it is due on Monday at 09:00 (business hours), deferred, and sent at 12:00
    const sent = sim.sent.filter((x) => x.request.kind === 'phase_advanced');
    expect(sent.map((x) => x.at - sent[0]!.at)).toEqual([0, 3 * HOUR]);
    expect(sent[1]!.request).toMatchObject({ key: sent[0]!.request.key, data: { from: 'foundation', to: 'activation' } });
  });

  it('a deferred reminder whose milestone is done in the meantime is not sent', () => {
    const sim = new Sim();
    sim.deliver = answer(REMINDER, (_r, now) => ({ status: 'deferred', reason: 'quiet hours', retryAt: iso(now + 5 * HOUR) })) as Sim['deliver'];
    sim.day(4);
    sim.day(4 + 1 / 24).event('contacts_designated', { contacts: [{ role: 'sales', name: 'Lee', email: 'lee@acme.example' }] });
    sim.day(10);
    expect(at(sim, REMINDER)).toEqual([T0 + 4 * DAY]);
    expect(sim.state.deferrals).toEqual([]);
  });

  it('never asks again sooner than a minute later, even when the activity\'s clock says the quiet hours already ended', () => {
    const sim = new Sim();
    let deferred = false;
    sim.deliver = ((r: NotificationRequest, now: number) => {
      if (r.key !== REMINDER || deferred) return { key: r.key, status: 'sent' };
      deferred = true;
      return { key: r.key, status: 'deferred', retryAt: iso(now - HOUR) };
    }) as Sim['deliver'];
    sim.day(5);
    expect(at(sim, REMINDER)).toEqual([T0 + 4 * DAY, T0 + 4 * DAY + 60_000]);
  });

  it('a deferred partner e-mail still waits for business hours', () => {
    const sim = new Sim();
    let deferred = false;
    sim.deliver = ((r: NotificationRequest) => {
      if (r.key !== REMINDER || deferred) return { key: r.key, status: 'sent' };
      deferred = true;
      // Until Tue 1 Dec 2026 20:00 UTC: after the partner's business hours (09:00-17:00 UTC).
      return { key: r.key, status: 'deferred', retryAt: '2026-12-01T20:00:00.000Z' };
    }) as Sim['deliver'];
    sim.day(6);
    expect(at(sim, REMINDER).map(iso)).toEqual([iso(T0 + 4 * DAY), '2026-12-02T09:00:00.000Z']);
  });
});
