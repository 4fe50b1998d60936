/**
 * The templates over what the domain really emits (test/helpers/domainMessages):
 * every kind renders on the channels it is sent on, within size limits, and the
 * wording follows the partner's pinned playbook, not the default one.
 */
import { renderEmail, renderSlack } from '../../activities/templates';
import { previewJourney } from '../../client/preview';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import type { Message, NotificationRequest } from '../../workflows/notifications';
import type { Playbook } from '../../workflows/playbook';
import { domainOutput, weeklyDigestRequest } from '../helpers/domainMessages';

const withProgram = (request: NotificationRequest, playbook: Playbook = DEFAULT_PLAYBOOK): Message =>
  ({ ...request, program: request.program ?? playbook.program }) as Message;

describe('every message the domain sends renders', () => {
  const requests = [...domainOutput().requests, weeklyDigestRequest()];
  const cases = requests.map((r) => ({ label: `${r.key} (${r.channel})`, request: r }));

  test.each(cases)('$label: short, complete, and free of placeholders', ({ request }) => {
    const message = withProgram(request);
    const rendered =
      request.channel === 'email'
        ? (() => {
            const e = renderEmail(message);
            expect(e.subject.length).toBeGreaterThan(10);
            expect(e.subject.length).toBeLessThanOrEqual(110);
            expect(e.text.length).toBeLessThan(2500);
            expect(e.html).toMatch(/^<!doctype html>/);
            return [e.subject, e.text, e.html];
          })()
        : (() => {
            const s = renderSlack(message);
            expect(s.blocks[0]).toMatchObject({ type: 'header' });
            expect(s.blocks.at(-1)).toMatchObject({ type: 'context' });
            expect(s.blocks.length).toBeLessThanOrEqual(50);
            return [s.text, JSON.stringify(s.blocks)];
          })();
    for (const out of rendered) expect(out).not.toMatch(/undefined|\bnull\b|NaN|\[object Object\]|[\uE000\uE001]/);
  });
});

describe('the wording comes from the pinned playbook', () => {
  const custom: Playbook = {
    ...DEFAULT_PLAYBOOK,
    version: 'acme-2027.1',
    program: {
      ...DEFAULT_PLAYBOOK.program,
      name: 'Acme Partner Network',
      portalUrl: 'https://partners.acme.example',
      currency: 'EUR',
    },
    opportunitySla: { responseHours: 12, escalationHours: 36 },
    segments: {
      ...DEFAULT_PLAYBOOK.segments,
      core: {
        ...DEFAULT_PLAYBOOK.segments.core,
        phaseDays: { foundation: 21, activation: 35, momentum: 34 },
        milestones: DEFAULT_PLAYBOOK.segments.core.milestones.map((m) =>
          m.id === 'business_101_training' ? { ...m, title: 'Partner Essentials (micro-modules)', dueDay: 12 } : m.dueDay > 21 && m.phase === 'foundation' ? { ...m, dueDay: 21 } : m,
        ),
      },
    },
  };
  const texts = (playbook: Playbook) =>
    previewJourney(playbook, 'core', 'stalled')
      .messages.map((m) => (m.email ? `${m.email.subject}\n${m.email.text}` : `${m.slack!.text}\n${JSON.stringify(m.slack!.blocks)}`))
      .join('\n');
  const standard = texts(DEFAULT_PLAYBOOK);
  const changed = texts(custom);

  test('the default playbook says 24 hours, Business 101, 90 days and the default portal', () => {
    expect(standard).toContain('We promise an answer within 24 hours.');
    expect(standard).toContain('Finish Business 101 training to register');
    expect(standard).toContain('Over the next 90 days');
    expect(standard).toContain('https://partners.example.com');
  });

  test('a playbook with other SLA hours, training names, phases, program and currency says those', () => {
    expect(changed).toContain('We promise an answer within 12 hours.');
    expect(changed).toContain('unanswered for 36 hours');
    expect(changed).toContain('Finish Partner Essentials (micro-modules) to register');
    expect(changed).toContain('Foundation (days 1-21), Activation (days 22-56) and Momentum (days 57-90)');
    expect(changed).toContain('Welcome to the Acme Partner Network, Northwind Systems');
    expect(changed).toContain('https://partners.acme.example');
    expect(changed).toContain('€40,000');
    for (const stale of ['24 hours', 'Business 101', 'Partner Program', '$40,000']) expect(changed).not.toContain(stale);
  });
});
