/**
 * Reminders due at the same moment go out as one message (workflows/domain/bundles.ts):
 * a core partner's product training and product assessment are both due on day 30,
 * so day 27 brings one e-mail naming both, not two in the same minute.
 */
import { renderEmail } from '../../activities/templates';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { DeliveryResult, Message, NotificationRequest } from '../../workflows/notifications';
import type { NotificationRule } from '../../workflows/playbook';
import { DAY, HOUR, Sim, T0, iso, profile } from './harness';

const BUNDLE = 'milestone_reminder:product_training:d30+product_assessment:d30:partner';
const TRAINING = 'milestone_reminder:product_training:d30:partner';
const ASSESSMENT = 'milestone_reminder:product_assessment:d30:partner';

type Reminder = Extract<NotificationRequest, { kind: 'milestone_reminder' }>;
const remindersAt = (sim: Sim, at: number) => sim.sent.filter((s) => s.at === at && s.request.kind === 'milestone_reminder').map((s) => s.request as Reminder);

describe('reminders due together', () => {
  it('go out as one e-mail naming each milestone, in the plan order, and are not requested again', () => {
    const sim = new Sim().day(40);
    const [reminder, ...others] = remindersAt(sim, T0 + 27 * DAY);
    expect(others).toEqual([]);
    expect(reminder).toMatchObject({ key: BUNDLE, channel: 'email', to: [{ email: 'lee@acme.example' }], data: { overdue: false } });
    expect(reminder!.data.milestone).toMatchObject({ id: 'product_training', dueAt: iso(T0 + 30 * DAY), required: true });
    expect(reminder!.data.also?.map((m) => m.id)).toEqual(['product_assessment']);
    // Each reminder's own key is remembered: neither goes out again on its own.
    expect(sim.state.requested).toEqual(expect.arrayContaining([TRAINING, ASSESSMENT]));
    expect(sim.keys('milestone_reminder').filter((k) => k.includes('product_'))).toEqual([BUNDLE]);
    // One delivery recorded, under the bundle's key.
    expect(sim.view().notifications.filter((n) => n.key === BUNDLE)).toMatchObject([{ kind: 'milestone_reminder', status: 'sent' }]);
  });

  it('a reminder on its own keeps its own key and message', () => {
    const sim = new Sim().day(12);
    const alone = sim.sent.filter((s) => s.request.kind === 'milestone_reminder');
    expect(alone.length).toBeGreaterThan(0);
    for (const { request } of alone) {
      expect(request.key).not.toContain('+');
      expect((request as Reminder).data.also).toBeUndefined();
    }
  });

  it('deferred by quiet hours, goes out again under the same key, without a milestone done in the meantime', () => {
    const sim = new Sim().day(26);
    const day27 = T0 + 27 * DAY;
    let held = false;
    sim.deliver = (request, nowMs): DeliveryResult => {
      if (request.key !== BUNDLE || held) return { key: request.key, status: 'sent' };
      held = true; // one contact got it, the other is in quiet hours for three hours
      return { key: request.key, status: 'sent', reason: '1 of 2 recipients in quiet hours', retryAt: iso(nowMs + 3 * HOUR) };
    };
    sim.until(day27 + HOUR).event('training_completed', { module: 'product' });
    sim.until(day27 + 4 * HOUR);
    const again = remindersAt(sim, day27 + 3 * HOUR);
    // The same key: the activity skips the contact who already got it.
    expect(again.map((r) => r.key)).toEqual([BUNDLE]);
    expect(again[0]!.data.milestone.id).toBe('product_assessment');
    expect(again[0]!.data.also).toBeUndefined();
    expect(sim.state.deferrals ?? []).toEqual([]);
  });

  it('read as one e-mail: "due" before the date, "still open" after it (a playbook that also nudges a day late)', () => {
    const overdue: NotificationRule = {
      id: 'overdue_reminder',
      kind: 'milestone_reminder',
      audience: ['partner'],
      trigger: { on: 'milestone_due', afterHours: 24, milestones: { owner: 'partner', requiredAtCheckpoint: true } },
    };
    const core = DEFAULT_PLAYBOOK.segments.core;
    const playbook = { ...DEFAULT_PLAYBOOK, segments: { ...DEFAULT_PLAYBOOK.segments, core: { ...core, notifications: [...core.notifications, overdue] } } };
    const sim = new Sim(profile(), playbook).day(32);
    const text = (at: number) => {
      const [reminder, ...others] = remindersAt(sim, at);
      expect(others).toEqual([]);
      return renderEmail({ ...reminder!, program: DEFAULT_PLAYBOOK.program } as Message).text;
    };
    // Day 30 is Sunday 27 Dec 2026: the due reminder goes out on day 27, the late one a day after the due date, on Monday.
    const before = text(T0 + 27 * DAY);
    expect(before).toContain('A quick reminder: these 2 steps are due on Sun, 27 Dec 2026.');
    expect(before).toMatch(/Due:\n- Product training \(required to complete the Foundation phase\)\n- Product knowledge assessment passed \(required/);
    const late = text(T0 + 31 * DAY);
    expect(late).toContain('These 2 steps are past their due date of Sun, 27 Dec 2026 and still open.');
    expect(late).toMatch(/Still open:\n- Product training \(required to complete the Foundation phase\)\n- Product knowledge assessment passed/);
    expect(sim.carrying('overdue_reminder:product_assessment:d30:partner')?.request.key).toBe('overdue_reminder:product_training:d30+product_assessment:d30:partner');
  });

  it('in a run started before bundling, go out one by one as its history says', () => {
    const sim = new Sim().day(26);
    sim.state = { ...sim.state, bundleReminders: undefined };
    sim.day(28);
    expect(remindersAt(sim, T0 + 27 * DAY).map((r) => r.key).sort()).toEqual([ASSESSMENT, TRAINING]);
  });
});
