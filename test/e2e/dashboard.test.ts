// The dashboard in headless Chromium (Debian's, driven by playwright-core) against a working gateway on the
// real stack: sign in with the token, watch a running migration (steps, per-topic backfill bars,
// throughput and lag charts) and save a screenshot of it, then cut a group over and roll it back through
// the buttons (with their confirmation), and read the verification result.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { startAdminServer } from '../../src/admin/index.js';
import { Gateway } from '../../src/runs/index.js';
import { readConfigFiles } from '../../src/runs/index.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { createEstate, dropKeys, produce } from '../runs/helpers.js';

// The page's own globals, for the functions evaluated in the browser (the project compiles without the DOM lib).
interface El {
  textContent: string | null;
  className: string;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
}
declare const document: { getElementById(id: string): El | null; querySelector(s: string): El | null; querySelectorAll(s: string): El[] };

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const TOKEN = uniqueName('dash-token');

/**
 * Waits until the group's row shows `phase` and its last operation `operation`; a timeout says what the row
 * and the group's operations show.
 */
async function groupRow(page: Page, group: string, phase: RegExp, operation: RegExp, operations: () => Promise<unknown>): Promise<void> {
  try {
    await page.waitForFunction(
      // (No named function inside: tsx would wrap it in a helper the page does not have.)
      ([g, p, o]) =>
        new RegExp(p).test(document.querySelector(`#groups tr[data-group="${g}"] td:nth-child(2)`)?.textContent ?? '') &&
        new RegExp(o).test(document.querySelector(`#groups tr[data-group="${g}"] td:nth-child(4)`)?.textContent ?? ''),
      [group, phase.source, operation.source] as const,
      { timeout: 180_000 },
    );
  } catch (err) {
    const row = await text(page, `#groups tr[data-group="${group}"]`).catch(() => '(no row)');
    throw new Error(`group ${group} did not reach ${phase} / ${operation} (${(err as Error).message}): row "${row}", operations ${JSON.stringify(await operations())}`, { cause: err });
  }
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent()) ?? '';
}

test('the dashboard shows a running migration, its charts and groups; cutover and rollback buttons ask first', { timeout: 600_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const estate = await createEstate({ topics: 2, partitions: 2, records: 100_000, consumed: 5000 });
  const prefix = uniqueName('k2p-e2e');
  const gateway = new Gateway({ redisUrl: STACK.redisUrl, prefix, tickMs: 500, sampleMs: 1000, pollMs: 1000 }).start();
  const app = await startAdminServer({ gateway }, { host: '127.0.0.1', port: 0, token: TOKEN });
  cleanup(async () => {
    await app.close();
    await gateway.stop();
    await dropKeys(`${prefix}:*`);
  });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  cleanup(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // Signing in: a wrong token is refused, the right one shows the runs.
  await page.goto(`${base}/dashboard/`);
  await page.locator('#token').fill('wrong');
  await page.locator('#login-form button').click();
  await page.waitForFunction(() => document.getElementById('login-error')?.textContent === 'The token was refused.');
  await page.locator('#token').fill(TOKEN);
  await page.locator('#login-form button').click();
  await page.waitForSelector('#no-run:not([hidden])');
  assert.equal(await page.locator('#login').isVisible(), false, 'the sign-in form is gone');

  const run = await gateway.service.create({ files: readConfigFiles(estate.files), name: 'dashboard', options: { cutover: 'manual', verifySettleMs: 3000 } });
  const writing = produce(estate.topics, 2, 100_000, 120_000); // a producer keeps writing meanwhile

  // A running migration: backfill under way, bars between 0 and 100 %, three samples or more, records flowing.
  await page.waitForFunction(
    () => {
      const bars = [...document.querySelectorAll('#topics [role=progressbar]')].map((b) => Number(b.getAttribute('aria-valuenow')));
      const lines = document.querySelectorAll('#chart-rate polyline').length;
      const moving = Number(document.getElementById('chart-rate')?.dataset.max) > 1 && Number(document.getElementById('chart-rate')?.dataset.points) >= 9;
      const backfill = document.querySelector('[data-step=backfill]')?.className;
      return backfill === 'running' && bars.length === 2 && bars.some((v) => v > 0 && v < 100) && lines >= 3 && moving;
    },
    undefined,
    { timeout: 240_000, polling: 250 },
  );
  await page.screenshot({ path: new URL('dashboard-running.png', ARTIFACTS).pathname, fullPage: true });
  assert.match(await text(page, '#run-title'), new RegExp(`Run dashboard \\(${run.id}\\)`));
  assert.equal(await text(page, '#run-status'), 'active');
  const legend = await text(page, '#legend');
  for (const t of estate.topics) assert.ok(legend.includes(t), `legend names ${t}`);
  assert.deepEqual(await page.locator('#topics tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as El).dataset.topic)), estate.topics);
  await writing;

  // Verified, then waiting for the group's cutover: the button asks, and a "no" changes nothing.
  await page.waitForFunction(() => /waiting for the cutover of/.test(document.querySelector('[data-step=cutover] small')?.textContent ?? ''), undefined, { timeout: 300_000 });
  await page.waitForFunction(() => /IDENTICAL/.test(document.getElementById('verify-result')?.textContent ?? ''), undefined, { timeout: 60_000 });
  const row = page.locator(`#groups tr[data-group="${estate.group}"]`);
  await row.waitFor();
  page.once('dialog', (d) => {
    assert.match(d.message(), new RegExp(`Cut group "${estate.group}" over to Pulsar\\?`));
    void d.dismiss();
  });
  await row.locator('[data-group-action=cutover]').click();
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await gateway.store.groupOperations(run.id)).length, 0, 'dismissed: nothing queued');

  const confirmed: string[] = [];
  page.on('dialog', (d) => {
    confirmed.push(d.message());
    void d.accept();
  });
  await row.locator('[data-group-action=cutover]').click();
  await groupRow(page, estate.group, /^cut-over/, /^cutover done/, () => gateway.store.groupOperations(run.id));
  await page.waitForFunction(() => document.getElementById('run-status')?.textContent === 'live', undefined, { timeout: 60_000 });
  await page.screenshot({ path: new URL('dashboard-cut-over.png', ARTIFACTS).pathname, fullPage: true });

  await row.locator('[data-group-action=rollback]').click();
  // Rolled back, and the run's sync takes the group up again (a rolled-back group is synced): either phase.
  await groupRow(page, estate.group, /^(rolled-back|syncing)/, /^rollback done/, () => gateway.store.groupOperations(run.id));
  assert.equal(confirmed.length, 2);
  assert.match(confirmed[1]!, /Roll group .* back to Kafka\?/);
  assert.deepEqual(errors, [], 'no script errors on the page');
});
