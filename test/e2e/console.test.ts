/**
 * The web console in a real browser (Debian's chromium, driven by
 * playwright-core) against the system as `npm start` runs it, on the dev
 * server, with API keys: sign in, filter the at-risk partners, open one,
 * decide "Extend 14 days" from the keyboard, see the new deadline, and
 * waive a milestone with a reason.
 */
import type { Browser, Page } from 'playwright-core';
import type { OnboardingState } from '../../workflows/types';
import { launchChromium } from '../helpers/browser';
import { startSystem, type RunningSystem } from '../helpers/system';
import { uniq } from '../helpers/temporal';

const MANAGER_KEY = 'manager-key-0123456789abcdef';
const OPS_KEY = 'ops-key-0123456789abcdef';
const DAY = 24 * 3600_000;

let system: RunningSystem;
let browser: Browser;

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${system.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPS_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How the console writes an instant (format.js `when`). */
const when = (iso: string) =>
  `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

beforeAll(async () => {
  system = await startSystem({ API_KEYS: `manager:${MANAGER_KEY},ops:${OPS_KEY},manager:${OPS_KEY}`, SLACK_ESCALATION_CHANNEL: 'C0ESCALATION' });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  expect(await system?.stop()).toBe(0);
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // The console's first, keyless request asks whether keys are needed: its 401 is expected.
  page.on('console', (msg) => msg.type() === 'error' && !/status of 401/.test(msg.text()) && errors.push(msg.text()));
  return errors;
}

it('signs in, filters the at-risk partners, opens one and extends its checkpoint by 14 days', async () => {
  const suffix = uniq('').slice(1);
  const atRisk = { partnerId: `globex-${suffix}`, name: `Globex Systems ${suffix}` };
  const onTrack = { partnerId: `initech-${suffix}`, name: `Initech ${suffix}` };
  const manager = { name: 'Dana Ruiz', email: `dana-${suffix}@vendor.example` };
  // Signed 45 days ago, nothing done but the kickoff: long overdue (at risk), its checkpoint waits for a decision.
  for (const [p, daysAgo] of [
    [atRisk, 45],
    [onTrack, 3],
  ] as const) {
    const started = await api('POST', '/v1/partners', {
      ...p,
      segment: 'core',
      role: 'sales',
      contractSignedAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
      partnerManager: manager,
      contacts: [{ role: 'sales', name: 'Lee', email: 'lee@partner.example' }],
    });
    expect(started.status).toBe(201);
  }
  const before = await eventually(
    () => api<OnboardingState>('GET', `/v1/partners/${atRisk.partnerId}`),
    (r) => r.body.awaitingDecision && r.body.health === 'at_risk',
  );
  expect(before.body).toMatchObject({ awaitingDecision: true, health: 'at_risk', extensions: 1 });
  // Visibility catches up with the workflow's search attributes.
  await eventually(
    () => api<{ partners: { partnerId: string }[] }>('GET', `/v1/partners?health=at_risk&manager=${encodeURIComponent(manager.email)}`),
    (r) => r.body.partners.length === 1,
  );

  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(system.url);

  // Sign in: the key goes into this tab's sessionStorage, never into the URL.
  await page.getByLabel('API key').fill(MANAGER_KEY);
  await page.getByLabel('Your name').fill('Dana');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Portfolio', level: 1 }).waitFor();
  expect(page.url()).not.toContain(MANAGER_KEY);
  expect(await page.evaluate('sessionStorage.getItem("onboarding.console.key")')).toBe(MANAGER_KEY);

  // Filter: this manager's partners at risk.
  await page.getByLabel('Manager e-mail').fill(manager.email);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('link', { name: onTrack.name }).waitFor();
  await page.getByLabel('Health').selectOption('at_risk');
  await page.getByRole('link', { name: onTrack.name }).waitFor({ state: 'detached' });
  expect(page.url()).toContain('health=at_risk');
  expect(await page.locator('tbody tr').count()).toBe(1);
  await page.getByRole('link', { name: atRisk.name }).click();

  // The partner page: at risk, and the checkpoint awaits a decision.
  await page.getByRole('heading', { name: atRisk.name, level: 1 }).waitFor();
  const deadline = page.getByTestId('phase-deadline');
  expect(await deadline.textContent()).toBe(when(before.body.phaseDeadline!));
  await page.getByRole('heading', { name: 'The foundation checkpoint awaits your decision' }).waitFor();

  // From the keyboard: the reason, then Tab to "Extend 14 days" (after "Advance to activation") and Enter.
  await page.getByLabel('Reason for the decision').fill('Portal access is being fixed this week');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.textContent')).toBe('Extend 14 days');
  await page.keyboard.press('Enter');

  const expected = new Date(Date.parse(before.body.phaseDeadline!) + 14 * DAY).toISOString();
  await page.getByRole('status').filter({ hasText: 'Extended by 14 days by Dana' }).waitFor();
  expect(await page.getByRole('status').textContent()).toBe(`Extended by 14 days by Dana. The foundation phase now ends ${when(expected)}.`);
  expect(await deadline.textContent()).toBe(when(expected));
  await page.getByRole('heading', { name: /checkpoint awaits your decision/ }).waitFor({ state: 'detached' });

  // The workflow agrees, and recorded who decided and why.
  const after = await api<OnboardingState>('GET', `/v1/partners/${atRisk.partnerId}`);
  expect(after.body).toMatchObject({ extensions: 2, awaitingDecision: false, phaseDeadline: expected });
  expect(after.body.checkpoints.at(-1)).toMatchObject({ outcome: 'extended', decidedBy: 'Dana', note: 'Portal access is being fixed this week' });

  // A waiver, with a reason, in a dialog that Escape closes.
  const waive = page.getByRole('button', { name: 'Waive Company profile completed' });
  await waive.click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  await waive.click();
  await page.getByLabel('Reason for the waiver').fill('The profile lives in the CRM');
  await page.getByRole('button', { name: 'Waive milestone' }).click();
  await page.getByRole('status').filter({ hasText: 'Waived “Company profile completed” by Dana.' }).waitFor();
  const row = page.getByRole('row', { name: /Company profile completed/ });
  expect(await row.getByText('Waived', { exact: true }).count()).toBe(1);
  const waived = await api<OnboardingState>('GET', `/v1/partners/${atRisk.partnerId}`);
  expect(waived.body.milestones.find((m) => m.id === 'company_profile')).toMatchObject({ status: 'waived', waivedReason: 'The profile lives in the CRM' });

  // The program report for this manager: where the partners stall, named as the manager knows the milestones.
  // The report reads the API's projection, synced every 5 s: first wait until it holds both partners.
  type Report = { partners: number; topBottleneck: { milestoneId: string; title: string; phase: string; partners: number } | null };
  const report = await eventually(
    () => api<Report>('GET', `/v1/reports/onboarding?manager=${encodeURIComponent(manager.email)}`),
    (r) => r.body.partners === 2 && r.body.topBottleneck !== null,
  );
  expect(report.body.partners).toBe(2);
  await page.getByRole('link', { name: 'Program report' }).click();
  await page.getByRole('heading', { name: 'Program report', level: 1 }).waitFor();
  await page.getByLabel('Manager e-mail').fill(manager.email);
  await page.getByRole('button', { name: 'Apply' }).click();
  const stallChart = page.locator('figcaption').filter({ hasText: 'Where partners stall: top bottleneck' });
  await stallChart.waitFor();
  const top = report.body.topBottleneck!;
  expect(top.title).not.toBe(top.milestoneId);
  expect(await stallChart.textContent()).toBe(`Where partners stall: top bottleneck “${top.title}” in ${top.phase} (${top.partners} partner${top.partners === 1 ? '' : 's'} overdue or late)`);
  expect(errors).toEqual([]);
  await page.close();
}, 180_000);
