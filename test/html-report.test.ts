import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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

/**
 * Opens a file with the network off; every request the page makes is recorded and refused, and
 * every CSP violation kept in window.__csp (`waitForViolation`: until there is one).
 */
async function openOffline(browser: Browser, file: string, waitForViolation = false): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  await context.setOffline(true);
  await context.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = violations;
    document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
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
  if (waitForViolation) await page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0, undefined, { timeout: 10_000 });
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

  it("runs its script by the script's hash, not 'unsafe-inline': a script that does not match is refused", async () => {
    const html = path.join(dir, 'run.html');
    const text = fs.readFileSync(html, 'utf8');
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/u.exec(text)?.[1] ?? '';
    const scriptSrc = policy.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    assert.match(scriptSrc, /^ ?script-src 'sha256-[A-Za-z0-9+/]{43}='$/u, policy);
    const inline = /<script>([\s\S]*)<\/script>\n<\/body>/u.exec(text)?.[1] ?? '';
    assert.equal(scriptSrc.trim(), `script-src 'sha256-${createHash('sha256').update(inline, 'utf8').digest('base64')}'`, 'the hash is of the inline script');

    // One character of the script changed: the browser refuses to run it, and says so.
    const tampered = path.join(dir, 'tampered.html');
    fs.writeFileSync(tampered, text.replace('<script>', '<script>/**/'));
    const { page } = await openOffline(browser, tampered, true);
    assert.equal(await page.locator('article.card').count(), 0, 'nothing drawn');
    assert.match((await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).join(' '), /script-src/u);
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
