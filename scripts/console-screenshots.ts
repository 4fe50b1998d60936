/**
 * Re-creates the console screenshots linked from the README (docs/console-*.png):
 * starts the system as `npm start` does (temp DATA_DIR, free ports), creates
 * the demo portfolio through the API, and photographs the portfolio, a
 * partner and the program report in Debian's chromium.
 *
 *   npx tsx scripts/console-screenshots.ts
 */
import path from 'node:path';
import { launchChromium } from '../test/helpers/browser';
import { seedDemo } from '../test/helpers/consoleDemo';
import { ROOT, startSystem } from '../test/helpers/system';

const OUT = path.join(ROOT, 'docs');

async function main(): Promise<void> {
  console.log('starting the system…');
  const system = await startSystem({ SLACK_ESCALATION_CHANNEL: 'C0ESCALATION' });
  const browser = await launchChromium();
  try {
    console.log('creating the demo portfolio…');
    const ids = await seedDemo(system.url);
    // Let the workflows take their events and visibility catch up.
    // (Not through the report: it is cached for a minute.)
    for (let i = 0; i < 60; i++) {
      const page = (await (await fetch(`${system.url}/v1/partners`)).json()) as { partners: { phase: string | null }[] };
      if (page.partners.length === ids.length && page.partners.some((p) => p.phase === 'graduated')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 3000)); // deliveries recorded, report memos published
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(system.url);
    await page.getByLabel('Your name').fill('Dana Ruiz');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Globex Systems' }).waitFor();
    await page.screenshot({ path: path.join(OUT, 'console-portfolio.png'), fullPage: true });

    await page.goto(`${system.url}/#/partners/acme-cloud`);
    await page.getByRole('heading', { name: 'Opportunities' }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.screenshot({ path: path.join(OUT, 'console-partner.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2000 } });

    await page.goto(`${system.url}/#/report`);
    await page.getByRole('heading', { name: /Partners at risk/ }).waitFor();
    await page.waitForTimeout(500); // the charts draw
    await page.screenshot({ path: path.join(OUT, 'console-report.png'), fullPage: true });
    console.log(`wrote ${['portfolio', 'partner', 'report'].map((p) => `docs/console-${p}.png`).join(', ')}`);
  } finally {
    await browser.close();
    await system.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
