/**
 * Golden messages: the plain text of every message each segment's happy and
 * stalled journeys send, rendered from what the real domain emits
 * (client/preview). A change to the domain, the playbook or the templates that
 * changes what a partner or a manager reads shows up here as a diff: read it,
 * then regenerate with `UPDATE_GOLDEN=1 npx jest test/golden`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JOURNEY_KINDS, journeyText, messageText, previewJourney, type PreviewMessage } from '../../client/preview';
import { renderEmail, renderSlack } from '../../activities/templates';
import { DEFAULT_PLAYBOOK } from '../../workflows/defaultPlaybook';
import { withBuiltInRules } from '../../workflows/notifications';
import type { Segment } from '../../workflows/types';
import { domainOutput, weeklyDigestRequest } from '../helpers/domainMessages';

const SEGMENTS: Segment[] = ['strategic', 'core', 'transactional'];
const update = process.env.UPDATE_GOLDEN === '1';

describe.each(SEGMENTS)('%s partner', (segment) => {
  test.each(JOURNEY_KINDS)('%s journey: every message as committed under test/golden', (kind) => {
    const file = path.join(__dirname, `${segment}-${kind}.txt`);
    const text = journeyText(previewJourney(DEFAULT_PLAYBOOK, segment, kind));
    if (update) fs.writeFileSync(file, text);
    expect(text).toBe(fs.readFileSync(file, 'utf8'));
  });
});

/** Every message the domain sends in any scripted situation, as the partner or manager reads it. */
function everyMessage(): { label: string; text: string }[] {
  const previews = SEGMENTS.flatMap((segment) => JOURNEY_KINDS.map((kind) => previewJourney(DEFAULT_PLAYBOOK, segment, kind)));
  const journeyMessages = previews.flatMap((p) => p.messages.map((m) => ({ label: `${p.journey.segment} ${p.journey.kind} #${m.seq} ${m.request.key}`, text: messageText(m) })));
  const { sims } = domainOutput();
  const extras = sims.flatMap((sim) =>
    sim.sent.map(({ at, request }, i): { label: string; text: string } => {
      const message = { ...request, program: DEFAULT_PLAYBOOK.program } as Parameters<typeof renderEmail>[0];
      const m: PreviewMessage = {
        seq: i + 1,
        at,
        day: 0,
        request,
        ...(request.channel === 'email' ? { email: renderEmail(message) } : { slack: renderSlack(message) }),
      };
      return { label: `${sim.state.profile.partnerId} ${request.key}`, text: messageText(m) };
    }),
  );
  const digest = weeklyDigestRequest();
  const digestMessage = { ...digest, program: DEFAULT_PLAYBOOK.program };
  const weekly = [
    { label: 'weekly digest (Slack)', text: messageText({ seq: 1, at: 0, day: 0, request: digest, slack: renderSlack(digestMessage) }) },
    { label: 'weekly digest (e-mail)', text: messageText({ seq: 1, at: 0, day: 0, request: digest, email: renderEmail(digestMessage) }) },
  ];
  return [...journeyMessages, ...extras, ...weekly];
}

/**
 * Two partners register initech.example within the same second (test/helpers/domainMessages.ts): every message
 * about the conflict, under each rule, as both managers, the escalation channel and the partners read it.
 */
test('conflicting registrations: every message as committed in test/golden/conflicts.txt', () => {
  const file = path.join(__dirname, 'conflicts.txt');
  const text = everyMessage()
    .filter((m) => /^(contoso|northwind)-(first|decided) /.test(m.label) && /· (account_conflict|registration_conflict) \(/.test(m.text))
    .map((m) => `### ${m.label}\n${m.text}`)
    .join('\n');
  expect(text).toMatch(/account_conflict/);
  if (update) fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
});

describe('what people read', () => {
  const messages = everyMessage();

  test('covers every kind the default playbook and the system send', () => {
    const kinds = new Set(messages.map((m) => /· (\w+) \(/.exec(m.text)?.[1]));
    const expected = new Set([
      ...Object.values(DEFAULT_PLAYBOOK.segments).flatMap((plan) => withBuiltInRules(plan.notifications).map((r) => r.kind)),
      'partner_contacts_missing',
      'manager_digest',
      'weekly_digest',
    ]);
    expect([...expected].filter((k) => !kinds.has(k))).toEqual([]);
  });

  test.each([
    ['a generic milestone', /your next onboarding step/i],
    ['a generic training', /\b(their|your) training\b/i],
    ['a placeholder value', /\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/],
    ['an empty list heading', /^([^\n]+:|\*[^*\n]+\*)\n(\n|$)/m],
    ['an unresolved date marker', /[\uE000\uE001]/],
    ['a raw milestone id', /\b(business_101_training|product_assessment|first_opportunity_registered|portal_access)\b(?!:)/],
  ])('no message contains %s', (_what, pattern) => {
    const offenders = messages.filter((m) => pattern.test(m.text.split('\n').slice(1).join('\n')));
    expect(offenders.map((m) => m.label)).toEqual([]);
  });

  test('every reminder names each milestone it stands for, and the due date', () => {
    const reminders = messages.filter((m) => /· milestone_reminder \(/.test(m.text));
    expect(reminders.length).toBeGreaterThan(5);
    const titles = new Map(Object.values(DEFAULT_PLAYBOOK.segments).flatMap((plan) => plan.milestones.map((m) => [m.id, m.title] as const)));
    let bundled = 0;
    for (const r of reminders) {
      expect(r.text).toMatch(/Subject: Reminder: .+ due (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4}\n/);
      // The key names every reminded milestone (`milestone_reminder:a:d30+b:d30:partner`): each is in the text.
      const scopes = /\(milestone_reminder:(.+):partner\)/.exec(r.text)![1]!.split('+');
      if (scopes.length > 1) bundled++;
      for (const scope of scopes) expect(r.text).toContain(titles.get(scope.split(':')[0]!)!);
    }
    // Training and its assessment are due together in the stalled journeys: one e-mail names both.
    expect(bundled).toBeGreaterThan(0);
  });

  test('every partner e-mail names who to contact', () => {
    const partnerEmails = messages.filter((m) => /· e-mail to /.test(m.text) && !/weekly_digest/.test(m.text));
    expect(partnerEmails.length).toBeGreaterThan(20);
    for (const e of partnerEmails) expect(e.text).toMatch(/Dana Ruiz|Alex Chen|Sam Rivera|reply to this e-mail/i);
  });
});
