import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { z } from 'zod';
import { profile } from '../src/engine/profile';
import { sweep } from '../src/engine/sweep';
import { parseSaved } from '../src/model/exports';
import { storeReport, type ProfileReport } from '../src/model/report';
import type { SweepReport } from '../src/model/sweep';
import type { ViewSide } from '../src/protocol/view';
import { OUTPUT_DIR, chromiumPath, launchChromium } from './browser/chromium';
import { STUB, serveView } from './browser/view-page';
import { TEST_SETTINGS } from './helpers';

type ViewEvents = { [K in keyof ViewSide['events']]: z.infer<ViewSide['events'][K]> };

/** A recorded run: every variant on cpu over 64 tokens, with their maps. */
function recordRun(): Promise<ProfileReport> {
  return profile({
    ...TEST_SETTINGS,
    input: { kind: 'text', text: 'Attention is all you need, they said; then came sparse, linear, local and recurrent variants of it. '.repeat(3), source: 'test' },
    variants: ['full', 'full-streaming', 'strided', 'fixed', 'blockwise', 'sliding', 'dilated', 'global', 'local', 'compressed', 'transformer-xl', 'linear', 'aft', 'rwkv'],
    params: { sliding: { window: 4 }, local: { block: 8 } },
    d: 16,
    mapSize: 512,
  });
}

function state(text: string, last: ProfileReport | null, lastSweep: SweepReport | null = null): ViewEvents['state'] {
  return { input: { text, tokenizer: 'o200k_base' }, running: null, last, lastSweep, sweepLengths: '256, 512, 1024', message: null };
}

/** What the host sends the view: an event of the view's channel. */
async function postToView<K extends Extract<keyof ViewEvents, string>>(page: Page, name: K, payload: ViewEvents[K]): Promise<void> {
  await postRaw(page, { t: 'event', name, payload });
}

async function postRaw(page: Page, message: unknown): Promise<void> {
  // Float32Arrays travel as plain arrays into the page and are rebuilt there, as VS Code delivers them.
  const plain: unknown = JSON.parse(JSON.stringify(message, (_k, v: unknown) => (v instanceof Float32Array ? { __f32: Array.from(v) } : v)));
  await page.evaluate((m) => {
    const revive = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(revive);
      if (x && typeof x === 'object') {
        if ('__f32' in x) return Float32Array.from((x as { __f32: number[] }).__f32);
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, revive(v)]));
      }
      return x;
    };
    window.postMessage(revive(m), '*');
  }, plain);
}

describe('the Attention comparison view in headless Chromium, under the production CSP', { skip: !chromiumPath() && 'no Chromium installed (apt-get install chromium)' }, () => {
  let browser: Browser;
  let server: { url: string; close(): void };
  let run: ProfileReport;
  const errors: string[] = [];

  before(async () => {
    run = await recordRun();
    server = await serveView();
    browser = await launchChromium();
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function openView(width: number, mode = 'live'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 1400 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(STUB);
    await page.goto(`${server.url}?mode=${mode}`);
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ name?: string }> }).__posted.some((m) => m.name === 'ready'));
    return page;
  }

  it('renders 14 cards from a recorded report, with no CSP violation, and links the hovered row across cards', async () => {
    const page = await openView(1400);
    await postToView(page, 'state', state('recorded', run));
    await page.waitForSelector('article.card');
    assert.equal(await page.locator('article.card').count(), 14);
    for (const id of ['full', 'sliding', 'rwkv']) {
      const text = await page.locator(`article.card[data-variant="${id}"]`).innerText();
      assert.match(text, /time\s+[\d.]+ m?s median/u, `${id} shows its time`);
      assert.match(text, /predicted [\d.]+ (B|KiB|MiB), measured [\d.]+ (B|KiB|MiB)/u, `${id} shows its memory`);
      assert.match(text, /error vs full\s+[\d.e+-]+/u, `${id} shows its error`);
    }
    assert.match(await page.locator('.summary').innerText(), /full \(baseline\)/u);

    // Hover a row of the first card: every card highlights the same query row.
    const overlay = page.locator('article.card[data-variant="full"] canvas.map-overlay');
    const box = (await overlay.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.6);
    const tooltip = page.locator('article.card[data-variant="full"] .tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.match(await tooltip.innerText(), /^query #\d+ ".*" \u2192 key #\d+ ".*": (allowed|masked)$/u);
    const highlighted = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas.map-overlay')).map((c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        const rows = new Set<number>();
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) rows.add(Math.floor((i - 3) / 4 / canvas.width));
        return [...rows];
      }),
    );
    assert.equal(highlighted.length, 14);
    const row = highlighted[0];
    assert.ok(row.length > 0, 'the hovered card highlights a row');
    for (const [i, rows] of highlighted.entries()) assert.deepEqual(rows, row, `card ${i} highlights the same query row`);

    await page.screenshot({ path: path.join(OUTPUT_DIR, 'view-cards.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('is readable in a 300 px side bar: one column, nothing wider than the view', async () => {
    const page = await openView(300);
    await postToView(page, 'state', state('', run));
    await page.waitForSelector('article.card');
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      cards: Array.from(document.querySelectorAll('article.card')).map((c) => c.getBoundingClientRect().right),
    }));
    assert.ok(widths.page <= 300, `page is ${widths.page} px wide`);
    assert.ok(
      widths.cards.every((r) => r <= 300),
      'every card fits',
    );
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'view-sidebar-300px.png'), fullPage: true });
    await page.close();
  });

  it('works with the keyboard: a map takes focus and the arrow keys move a cursor with its tooltip', async () => {
    const page = await openView(1000);
    await postToView(page, 'state', state('', run));
    await page.waitForSelector('article.card');
    await page.locator('article.card[data-variant="sliding"] canvas.map-overlay').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const tooltip = page.locator('article.card[data-variant="sliding"] .tooltip');
    assert.match(await tooltip.innerText(), /^query #1 .* \u2192 key #1 .*: allowed$/u);
    await page.keyboard.press('Escape');
    assert.equal(await tooltip.isVisible(), false);
    await page.close();
  });

  it('isolates token text in tooltips: a right-to-left override in a token cannot reverse the rest of the tooltip', async () => {
    const page = await openView(1000);
    // Token 0 carries a right-to-left override; token 1 is Hebrew (right-to-left letters).
    const tokens = run.input.tokens!.map((t, i) => (i === 0 ? { ...t, text: '\u202eabc' } : i === 1 ? { ...t, text: '\u05e9\u05dc\u05d5\u05dd' } : t));
    await postToView(page, 'state', state('', { ...run, input: { ...run.input, tokens } }));
    await page.waitForSelector('article.card');
    await page.locator('article.card[data-variant="full"] canvas.map-overlay').focus();
    await page.keyboard.press('ArrowDown');
    const tooltip = page.locator('article.card[data-variant="full"] .tooltip');
    // The override is shown by its code point, and each token's text is isolated (FSI ... PDI).
    assert.equal(await tooltip.innerText(), 'query #0 "\u2068[U+202E]abc\u2069" \u2192 key #0 "\u2068[U+202E]abc\u2069": allowed');
    await page.keyboard.press('ArrowRight');
    assert.equal(await tooltip.innerText(), 'query #0 "\u2068[U+202E]abc\u2069" \u2192 key #1 "\u2068\u05e9\u05dc\u05d5\u05dd\u2069": masked');
    // Laid out on one line, the words after each token stay to its right, in reading order.
    const order = await page.evaluate(() => {
      const tip = document.querySelector('article.card[data-variant="full"] .tooltip') as HTMLElement;
      tip.style.setProperty('max-width', 'none');
      tip.style.setProperty('white-space', 'nowrap');
      const node = tip.firstChild!;
      const text = node.textContent!;
      const x = (needle: string) => {
        const range = document.createRange();
        const at = text.indexOf(needle);
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        return range.getBoundingClientRect().left;
      };
      return ['query', 'abc', '\u2192', 'key', '\u05e9', 'masked'].map(x);
    });
    for (let i = 1; i < order.length; i++) assert.ok(order[i] > order[i - 1], `part ${i} is right of part ${i - 1}: ${order.join(', ')}`);
    await page.close();
  });

  it('shows bad input, progress and the end of a run as messages, keeping the previous results', async () => {
    const page = await openView(800);
    await postToView(page, 'state', state('', run));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match(await page.locator('.message').innerText(), /Nothing to profile/u);
    assert.equal(await page.evaluate(() => (window as unknown as { __posted: Array<{ name?: string }> }).__posted.some((m) => m.name === 'run')), false);

    await postToView(page, 'inputError', { message: 'bad token id "x" at position 1: ids are non-negative integers separated by commas or spaces' });
    assert.match(await page.locator('.message').innerText(), /bad token id "x"/u);
    assert.equal(await page.locator('.message').getAttribute('role'), 'alert');
    // An error offers the extension's log; the click asks the host to show it.
    await page.getByRole('button', { name: 'Show log', exact: true }).click();
    assert.ok(await page.evaluate(() => (window as unknown as { __posted: Array<{ name?: string }> }).__posted.some((m) => m.name === 'showLog')));

    await postToView(page, 'runStarted', { id: 7, label: 'Profiling 14 variants on webasm' });
    await postToView(page, 'progress', { id: 7, event: { kind: 'variant', id: 'strided', index: 2, total: 14, phase: 'timing', run: 3 } });
    assert.equal(await page.locator('.progress-label').innerText(), '3/14 strided: timing run 3');
    assert.equal(await page.locator('vscode-progress-bar').isVisible(), true);
    assert.equal(await page.getByRole('button', { name: 'Show log', exact: true }).isVisible(), false, 'no log offered once the error is gone');
    await postToView(page, 'runEnded', { id: 7, outcome: 'cancelled', message: 'The run was cancelled; the results shown are from the previous run.' });
    assert.match(await page.locator('.message').innerText(), /cancelled/u);
    assert.equal(await page.locator('article.card').count(), 14, 'previous results stay');
    assert.equal(await page.locator('vscode-progress-bar').isVisible(), false);

    await postRaw(page, { t: 'event', name: 'progress', payload: { id: 7 } });
    assert.match(await page.locator('.message').innerText(), /Ignored a malformed message/u);
    await page.close();
  });

  it('redraws the maps with the new colours when the theme changes', async () => {
    const page = await openView(800);
    await postToView(page, 'state', state('', run));
    await page.waitForSelector('article.card');
    const corner = () =>
      page.evaluate(() =>
        Array.from((document.querySelector('article.card[data-variant="full"] canvas.map-base') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 1, 1).data),
      );
    const before = await corner();
    await page.evaluate(() => {
      document.body.style.setProperty('--vscode-charts-blue', 'rgb(200, 30, 30)');
      document.body.classList.add('vscode-high-contrast');
    });
    await page.waitForFunction((b) => {
      const d = (document.querySelector('article.card[data-variant="full"] canvas.map-base') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 1, 1).data;
      return d[0] !== b[0] || d[1] !== b[1] || d[2] !== b[2];
    }, before);
    assert.deepEqual((await corner()).slice(0, 3), [200, 30, 30]);
    await page.close();
  });

  it('draws a recorded sweep as uPlot charts whose legend carries the slopes and toggles the lines', async () => {
    const recorded = await sweep({
      ...TEST_SETTINGS,
      variants: ['full', 'sliding', 'linear'],
      lengths: [32, 64, 128, 256],
      d: 8,
      params: { sliding: { window: 4 } },
      memoryBudgetBytes: 2 ** 30,
      pointBudgetMs: 0,
    });
    const page = await openView(1100);
    await postToView(page, 'state', state('', run, recorded));
    await page.waitForSelector('.chart canvas');
    assert.equal(await page.locator('.chart').count(), 2);
    const legend = page.locator('.chart[data-chart="time"] .u-legend .u-series');
    const labels = await legend.allInnerTexts();
    for (const v of recorded.variants)
      assert.ok(
        labels.some((l) => l.includes(`${v.id} (slope ${v.fit.time!.slope.toFixed(2)})`)),
        `${v.id} legend: ${labels.join(' | ')}`,
      );
    const sliding = legend.filter({ hasText: 'sliding' });
    await sliding.click();
    assert.match((await sliding.getAttribute('class')) ?? '', /u-off/u, 'clicking a legend entry hides its line');
    assert.match(await page.locator('.fit-table').innerText(), /sliding\s+-?[\d.]+\s+1\.00/u);
    const sizes = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLCanvasElement>('.chart canvas')).map((c) => c.width));
    assert.ok(
      sizes.every((w) => w >= 240),
      `the charts are drawn at their width (${sizes.join(', ')})`,
    );
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'view-sweep.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(errors, [], 'no error in the page');
    await page.close();
  });

  it('compares two saved runs side by side and highlights the differences beyond the noise', async () => {
    const a = run;
    const b = structuredClone(a);
    const fullB = b.variants.find((v) => v.id === 'full')!;
    fullB.time = { ...fullB.time!, medianMs: fullB.time!.maxMs * 3, minMs: fullB.time!.maxMs * 2.5, maxMs: fullB.time!.maxMs * 3.5 };
    const slidingB = b.variants.find((v) => v.id === 'sliding')!;
    slidingB.memory = { ...slidingB.memory, measuredBytes: slidingB.memory.measuredBytes! / 2 };
    const page = await openView(1200, 'comparison');
    await postToView(page, 'showComparison', {
      a: { name: 'a.attnprof.json', content: { kind: 'run', report: a } },
      b: { name: 'b.attnprof.json', content: { kind: 'run', report: b } },
    });
    await page.waitForSelector('.compare-table');
    assert.equal(await page.locator('.compare-table tr[data-variant]').count(), 14);
    const full = page.locator('.compare-table tr[data-variant="full"]');
    assert.equal(await full.locator('.change-worse').count(), 1, 'full is slower in B');
    assert.match(await full.locator('.change-worse').innerText(), /^\+\d+\.\d%$/u);
    const sliding = page.locator('.compare-table tr[data-variant="sliding"]');
    assert.equal(await sliding.locator('.change-better').innerText(), '-50.0%');
    assert.equal(
      await page.locator('.compare-table tr[data-variant="rwkv"] .change-better, .compare-table tr[data-variant="rwkv"] .change-worse').count(),
      0,
      'unchanged rows are not highlighted',
    );
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'view-comparison.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    await page.close();
  });
  it("a saved run's editor: says Loading at once, re-renders in place when the file changes, and shows what it cannot read", async () => {
    const page = await openView(1000, 'saved');
    await postToView(page, 'notice', { kind: 'info', text: 'Loading a.attnprof.json (44.8 MiB)...' });
    assert.equal(await page.locator('.message').innerText(), 'Loading a.attnprof.json (44.8 MiB)...');

    await postToView(page, 'showSaved', { name: 'a.attnprof.json', content: { kind: 'run', report: run } });
    await page.waitForSelector('article.card');
    assert.equal(await page.locator('article.card').count(), 14);
    assert.equal(await page.locator('.message').innerText(), '', 'the loading message goes');

    // The file changes: the same editor shows the new run, once.
    const changed = structuredClone(run);
    changed.variants[0].time = { ...changed.variants[0].time!, medianMs: 123.4 };
    await postToView(page, 'showSaved', { name: 'a.attnprof.json', content: { kind: 'run', report: changed } });
    await page.waitForFunction(() => document.querySelector('article.card[data-variant="full"]')?.textContent?.includes('123'));
    assert.equal(await page.locator('.saved-header').count(), 1, 'one header');
    assert.deepEqual(await page.locator('.saved-header h2').allInnerTexts(), ['Saved run: a.attnprof.json']);
    assert.equal(await page.locator('article.card').count(), 14, 'the cards are replaced, not added');

    // A file whose map is over the bounds (100000 x 100000): the rest shows, the map's card says why.
    const stored = JSON.parse(JSON.stringify(storeReport(run))) as { variants: Array<{ id: string; map: { rows: number; cols: number } }> };
    const sliding = stored.variants.find((v) => v.id === 'sliding')!;
    sliding.map = { ...sliding.map, rows: 100_000, cols: 100_000 };
    const parsed = parseSaved(JSON.stringify(stored));
    assert.ok(parsed.ok);
    await postToView(page, 'showSaved', { name: 'a.attnprof.json', content: parsed.content });
    await page.waitForSelector('article.card[data-variant="sliding"] .map-omitted');
    assert.equal(await page.locator('article.card').count(), 14);
    assert.equal(await page.locator('article.card canvas.map-base').count(), 13);
    assert.match(await page.locator('article.card[data-variant="sliding"] .map-omitted').innerText(), /^Map not shown: rows: 100000 rows is more than a map may have \(512\)$/u);
    const line = await page.locator('.message').innerText();
    assert.match(line, /^Not everything in this file can be shown: sliding: its map is not shown \(rows: 100000 rows/u);
    assert.doesNotMatch(line, /\n/u, 'one line');
    assert.equal(await page.locator('.message').getAttribute('role'), 'alert');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'view-saved-omitted-map.png'), fullPage: true });

    // A map sent without its bounds checked (not from the host) is refused as malformed, never drawn.
    const huge = structuredClone(run);
    huge.variants[0].map = { ...huge.variants[0].map!, rows: 100_000, cols: 100_000 };
    await postToView(page, 'showSaved', { name: 'a.attnprof.json', content: { kind: 'run', report: huge } });
    assert.match(await page.locator('.message').innerText(), /Ignored a malformed message/u);
    assert.equal(await page.locator('article.card').count(), 14, 'what was shown stays');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("a saved run's editor whose file turns invalid: the page loaded afresh shows the error, and no card", async () => {
    const page = await openView(1000, 'saved');
    await postToView(page, 'showSaved', { name: 'a.attnprof.json', content: { kind: 'run', report: run } });
    await page.waitForSelector('article.card');
    // The host loads the page afresh (SavedRunSession.reload), then tells it the error when it is ready.
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ name?: string }> }).__posted.some((m) => m.name === 'ready'));
    await postToView(page, 'notice', { kind: 'error', text: 'a.attnprof.json: not JSON (Unexpected end of JSON input)' });
    assert.equal(await page.locator('article.card').count(), 0);
    assert.equal(await page.locator('.saved-header').count(), 0);
    assert.equal(await page.locator('.message').innerText(), 'a.attnprof.json: not JSON (Unexpected end of JSON input)');
    assert.equal(await page.locator('.message').getAttribute('role'), 'alert');
    await page.close();
  });
});
