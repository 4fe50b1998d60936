/** Every notification kind renders, on both channels, short, escaped and free of placeholders. */
import { renderEmail, renderSlack, type TemplateInput } from '../../activities/templates';
import { NOTIFICATION_KINDS } from '../../workflows/notifications';

const RICH: Record<string, unknown> = {
  managerName: 'Dana Ruiz',
  portalUrl: 'https://partners.vendor.example/acme',
  missing: ['portal_access', { id: 'kickoff_call' }],
  milestone: 'product_assessment',
  dueAt: '2026-12-27T09:00:00Z',
  module: 'product_training',
  days: 14,
  opportunityId: 'opp-7',
  account: 'Globex',
  phase: 'activation',
  gaps: ['first_opportunity_registered', { title: 'Role certification' }],
  reasons: ['No activity for 21 days'],
  day: 44,
  amount: 48000,
  currency: 'EUR',
  surveyUrl: 'https://survey.vendor.example/s/1',
  items: ['A plain update', { kind: 'opportunity_sla_manager', data: { opportunityId: 'opp-7' } }],
  reason: 'Chose another vendor',
};

const cases = NOTIFICATION_KINDS.flatMap((kind) =>
  [RICH, {}].map((data) => ({ kind, data, label: `${kind} (${data === RICH ? 'full' : 'no'} data)` })),
);

function input(kind: TemplateInput['kind'], data: Record<string, unknown>, partnerName = 'Acme Cloud GmbH'): TemplateInput {
  return { kind, partnerId: 'acme-cloud', partnerName, data };
}

describe('templates', () => {
  test.each(cases)('$label: a short e-mail and Slack message, no placeholders', ({ kind, data }) => {
    const email = renderEmail(input(kind, data));
    const slack = renderSlack(input(kind, data));

    expect(email.subject.length).toBeGreaterThan(10);
    expect(email.subject.length).toBeLessThanOrEqual(80);
    expect(email.text.length).toBeLessThan(1200);
    expect(email.html).toMatch(/^<!doctype html>/);
    expect(slack.blocks[0]).toMatchObject({ type: 'header' });
    expect(slack.blocks.at(-1)).toMatchObject({ type: 'context' });
    for (const out of [email.subject, email.text, email.html, slack.text, JSON.stringify(slack.blocks)]) {
      expect(out).not.toMatch(/undefined|null|NaN|\[object Object\]|\s{3,}[^\s]/);
    }
  });

  test('partner e-mails tell the partner how to get help', () => {
    for (const kind of ['welcome', 'milestone_reminder', 'training_stalled_partner', 'registration_gated', 'phase_advanced', 'survey_request'] as const) {
      expect(renderEmail(input(kind, {})).text).toMatch(/reply to this e-mail/i);
    }
  });

  test('the welcome e-mail lists the first week as numbered steps, not a document', () => {
    const { text } = renderEmail(input('welcome', RICH));
    expect(text).toMatch(/Your first week:\n1\. .+\n2\. .+\n3\. .+\n4\. .+/);
    expect(text).toContain('Dana Ruiz is your partner manager');
    expect(text).toContain('Open the partner portal: https://partners.vendor.example/acme');
  });

  test('the kinds sent on both channels speak to the partner by e-mail and to the team on Slack', () => {
    expect(renderEmail(input('first_deal_celebration', RICH)).subject).toBe('Congratulations on your first deal!');
    expect(renderSlack(input('first_deal_celebration', RICH)).text).toBe(
      ':tada: Acme Cloud GmbH closed their first deal: Opportunity opp-7 (Globex) is won (€48,000).',
    );
    expect(renderEmail(input('graduated', {})).subject).toBe('You are fully onboarded, Acme Cloud GmbH!');
    expect(renderSlack(input('graduated', { day: 88 })).text).toContain('completed onboarding on day 88.');
  });

  test('milestone ids read as words; objects read by title', () => {
    const { text } = renderSlack(input('checkpoint_summary', RICH));
    expect(text).toBe('Acme Cloud GmbH: Activation phase checkpoint needs a decision: Acme Cloud GmbH reached the end of the Activation phase with gaps.');
    const gaps = JSON.stringify(renderSlack(input('checkpoint_summary', RICH)).blocks);
    expect(gaps).toContain('• First opportunity registered\\n• Role certification');
  });

  test('a digest lists buffered pings by their titles', () => {
    const blocks = JSON.stringify(renderSlack(input('manager_digest', RICH)).blocks);
    expect(blocks).toContain('• A plain update\\n• Acme Cloud GmbH: a registered opportunity waits for an answer');
  });

  test('the weekly digest: indicators against targets, partners at risk (and how many more), the top bottleneck', () => {
    const digest = {
      asOf: '2026-12-07T08:00:00.000Z',
      indicators: [
        { id: 'timeToPortalAccessHours', value: 20.5, unit: 'hours', target: { op: '<', value: 48 }, met: true },
        { id: 'completionRate', value: 0.75, unit: 'ratio', target: { op: '>', value: 0.8 }, met: false },
        { id: 'satisfaction', value: null, unit: 'score', target: null, met: null },
      ],
      atRisk: [{ partnerId: 'acme-cloud', name: 'Acme Cloud GmbH', manager: 'dana@vendor.example', phase: 'activation' }],
      atRiskTotal: 3,
      topBottleneck: { phase: 'foundation', milestoneId: 'product_training', partners: 4 },
    };
    const email = renderEmail({ kind: 'weekly_digest', partnerId: 'program', partnerName: 'Partner program', data: digest });
    expect(email.subject).toBe('Partner program: weekly digest of Mon, 7 Dec 2026');
    expect(email.text).toContain('3 partners are at risk. Top bottleneck: Product training (Foundation phase, 4 partners).');
    expect(email.text).toContain(
      'Indicators:\n- Time to portal access hours: 20.5 h (target < 48 h, met)\n- Completion rate: 75% (target > 80%, missed)\n- Satisfaction: no data',
    );
    expect(email.text).toContain('At risk:\n- Acme Cloud GmbH (acme-cloud), Activation phase\n- … and 2 more');
    expect(email.text).not.toContain('is onboarding to our partner program');
    const slack = renderSlack({ kind: 'weekly_digest', partnerId: 'program', partnerName: 'Partner program', data: digest });
    expect(JSON.stringify(slack.blocks.at(-1))).toContain('Weekly digest of the partner onboarding program · weekly_digest');
  });

  test('HTML escapes every value; only http(s) links are rendered', () => {
    const email = renderEmail(input('welcome', { managerName: '<img src=x onerror=alert(1)>', portalUrl: 'javascript:alert(1)' }, 'A&B "Co"'));
    expect(email.html).not.toMatch(/<img|javascript:/);
    expect(email.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(email.html).toContain('A&#38;B &#34;Co&#34;');
    expect(email.text).not.toContain('javascript:');
  });

  test('dates are shown as days, amounts with their currency', () => {
    expect(renderEmail(input('milestone_reminder', { milestone: 'portal_access', dueAt: '2026-11-29T09:00:00Z' })).subject).toBe(
      'Reminder: Portal access is due Sun, 29 Nov 2026',
    );
    expect(renderEmail(input('first_deal_celebration', { amount: 1250000 })).text).toContain('(1,250,000)');
  });
});
