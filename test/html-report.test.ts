import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { storedReportSchema, type StoredReport } from '../src/model/report';
import { sweepReportSchema, type SweepReport } from '../src/model/sweep';
import { formatBytes } from '../src/model/format';
import { formatError, formatMs } from '../webview/format';
import { OUTPUT_DIR, chromiumPath, launchChromium } from './browser/chromium';

const BIN = path.resolve(__dirname, '..', 'bin', 'attention-profiler.js');

function cli(...args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** Opens a file with the network off; every request the page makes is recorded and refused. */
async function openOffline(browser: Browser, file: string): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  await context.setOffline(true);
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  assert.deepEqual(errors, []);
  return { page, requests };
}

describe('the exported HTML report, opened in headless Chromium with the network off', { skip: !chromiumPath() && 'no Chromium installed (apt-get install chromium)' }, () => {
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnprof-html-'));
  before(async () => {
    browser = await launchChromium();
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  });
  after(async () => browser?.close());

  it('a run: the cards show the same numbers as the JSON report, and the page makes no request', async () => {
    const json = path.join(dir, 'run.json');
    const html = path.join(dir, 'run.html');
    cli(
      'profile',
      '--text',
      'Reports should work offline and say the same thing as the data. '.repeat(5),
      '--backend',
      'cpu',
      '--d',
      '16',
      '--maps',
      '64',
      '--json',
      json,
      '--html',
      html,
      '--time-budget-ms',
      '0',
    );
    const report: StoredReport = storedReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    const { page, requests } = await openOffline(browser, html);
    await page.waitForSelector('article.card');
    assert.equal(await page.locator('article.card').count(), 14);
    for (const v of report.variants) {
      const text = await page.locator(`article.card[data-variant="${v.id}"]`).innerText();
      assert.ok(text.includes(`${formatMs(v.time!.medianMs)} median`), `${v.id}: median ${formatMs(v.time!.medianMs)} in ${text}`);
      assert.ok(text.includes(`${formatMs(v.time!.minMs)}\u2013${formatMs(v.time!.maxMs)}, ${v.time!.runs} runs`), `${v.id}: range and runs`);
      assert.ok(text.includes(`predicted ${formatBytes(v.memory.predictedBytes)}, measured ${formatBytes(v.memory.measuredBytes!)}`), `${v.id}: memory`);
      assert.ok(text.includes(formatError(v.errorVsFull!.relFrobenius)), `${v.id}: error vs full`);
      assert.equal(await page.locator(`article.card[data-variant="${v.id}"] canvas.map-base`).count(), 1, `${v.id}: its map`);
    }
    assert.ok((await page.locator('.backend-line').innerText()).includes(`${report.input.n} tokens`));
    assert.deepEqual(requests, []);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'html-report-run.png') });
  });

  it('a sweep: the charts are drawn offline and the table shows the slopes of the JSON', async () => {
    const json = path.join(dir, 'sweep.json');
    const html = path.join(dir, 'sweep.html');
    cli('sweep', '--variants', 'full,sliding,linear', '--n', '32,64,128', '--backend', 'cpu', '--d', '8', '--json', json, '--html', html, '--point-budget-ms', '0');
    const sweep: SweepReport = sweepReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    const { page, requests } = await openOffline(browser, html);
    await page.waitForSelector('.chart canvas');
    assert.equal(await page.locator('.chart').count(), 2);
    for (const v of sweep.variants) {
      const row = await page.locator(`.fit-table tr[data-variant="${v.id}"]`).innerText();
      assert.ok(row.includes(v.fit.time!.slope.toFixed(2)) && row.includes(v.fit.measuredMemory!.slope.toFixed(2)), `${v.id}: ${row}`);
    }
    assert.deepEqual(requests, []);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'html-report-sweep.png'), fullPage: true });
  });
});
