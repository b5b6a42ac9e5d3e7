import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { tokenizeText } from '../src/engine/tokens';
import { DEFAULTS } from '../src/model/limits';
import { reportSchema, type ProfileReport } from '../src/model/report';
import type { RunSettings } from '../src/model/settings';
import { VARIANT_IDS } from '../src/model/variant-ids';
import { OUTPUT_DIR, chromiumPath, launchChromium } from './browser/chromium';
import { STUB, serveView } from './browser/view-page';
import { TEST_SETTINGS } from './helpers';

const TEXT = fs.readFileSync(path.resolve(__dirname, 'fixtures', 'attention-notes.md'), 'utf8').slice(0, 500);

const SETTINGS: RunSettings = {
  ...TEST_SETTINGS,
  variants: [...VARIANT_IDS],
  d: 16,
  maxTokens: DEFAULTS.maxTokens,
  mapSize: 64,
  params: {},
};

/** What the view posted back for a call: its progress events, and its result or error when it ended. */
interface Answer {
  progress: unknown[];
  result?: unknown;
  error?: { code: string; message?: string };
}

/** The host calling a method of the view (the view forwards it to its GPU lane). */
async function call(page: Page, id: number, method: string, request: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), { t: 'call', id, method, request });
}

async function answer(page: Page, id: number, timeoutMs: number): Promise<Answer> {
  await page.waitForFunction(
    (i) => (window as unknown as { __posted: Array<{ t?: string; id?: number }> }).__posted.some((m) => m.id === i && (m.t === 'result' || m.t === 'error')),
    id,
    { timeout: timeoutMs, polling: 100 },
  );
  return page.evaluate((i) => {
    const posted = (
      window as unknown as { __posted: Array<{ t?: string; id?: number; event?: unknown; result?: unknown; error?: { code: string; message?: string } }> }
    ).__posted.filter((m) => m.id === i);
    const end = posted.find((m) => m.t === 'result' || m.t === 'error');
    return { progress: posted.filter((m) => m.t === 'progress').map((m) => m.event), result: end?.result, error: end?.error };
  }, id);
}

function tokens(text: string): Array<{ id: number; text: string }> {
  return tokenizeText(text, 'o200k_base').map(({ id, text: t }) => ({ id, text: t }));
}

describe("the view's GPU lane in headless Chromium (SwiftShader's WebGPU and WebGL2)", { skip: !chromiumPath() && 'no Chromium installed (apt-get install chromium)' }, () => {
  let browser: Browser;
  let server: { url: string; close(): void };
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    server = await serveView();
    browser = await launchChromium({ webgpu: true });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(STUB);
    await page.goto(`${server.url}?mode=live`);
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ name?: string }> }).__posted.some((m) => m.name === 'ready'));
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('probes WebGPU and WebGL2 in its worker, naming the adapter and the renderer, and marks SwiftShader as a software adapter', async () => {
    await call(page, 1, 'probe', { backends: ['view-webgpu', 'view-webgl2'] });
    const { result, error } = await answer(page, 1, 60_000);
    assert.equal(error, undefined, JSON.stringify(error));
    const probes = result as Array<{ backend: string; ok: boolean; device?: string; software?: boolean; reason: string }>;
    assert.deepEqual(
      probes.map((p) => [p.backend, p.ok]),
      [
        ['view-webgpu', true],
        ['view-webgl2', true],
      ],
      JSON.stringify(probes),
    );
    assert.match(probes[0].device!, /^WebGPU: .*swiftshader/iu);
    assert.match(probes[1].device!, /^WebGL2: .*SwiftShader/iu);
    assert.ok(
      probes.every((p) => p.software),
      'SwiftShader is a CPU in disguise',
    );
  });

  for (const [n, backend] of [
    [2, 'view-webgpu'],
    [3, 'view-webgl2'],
  ] as const) {
    it(`runs all 14 variants on ${backend}: every output passes its float64 gate, with first call, warm-ups, >= 5 timed runs and memory measured`, async () => {
      const input = { kind: 'tokens', tokens: tokens(TEXT), from: 'text' };
      await call(page, n, 'profile', { input, settings: { ...SETTINGS, backend } });
      const { result, error, progress } = await answer(page, n, 540_000);
      assert.equal(error, undefined, JSON.stringify(error));
      const report: ProfileReport = reportSchema.parse(result);
      assert.equal(report.backend.selected, backend);
      assert.equal(report.backend.lane, 'view');
      assert.match(report.backend.device, /SwiftShader/iu);
      assert.deepEqual(
        report.variants.map((v) => [v.id, v.status, v.reason]),
        VARIANT_IDS.map((id) => [id, 'ok', undefined]),
      );
      for (const v of report.variants) {
        assert.ok(v.check?.passed && v.check.relError <= DEFAULTS.gateTolerance, `${v.id}: gate ${v.check?.relError}`);
        assert.deepEqual(Object.keys(v.backend.kernels), [backend], `${v.id}: every kernel ran on ${backend}`);
        assert.ok(
          v.time && v.time.runs >= DEFAULTS.repeats && v.time.firstCallMs > 0 && v.time.warmups >= 1 && v.time.warmups <= DEFAULTS.warmups,
          `${v.id}: timing (warm-ups are budgeted by time: at least one, at most the setting)`,
        );
        assert.equal(v.memory.measuredBytes, v.memory.predictedBytes, `${v.id}: measured = predicted bytes`);
        assert.ok(v.map && v.map.values instanceof Float32Array, `${v.id}: its map`);
      }
      assert.ok(progress.length >= 14 * 4, 'progress per variant and phase');
    });
  }

  it('refuses a variant over the memory budget before allocating it, and runs the others', async () => {
    const input = { kind: 'tokens', tokens: tokens(TEXT), from: 'text' };
    await call(page, 4, 'profile', { input, settings: { ...SETTINGS, backend: 'view-webgl2', variants: ['full', 'sliding'], memoryBudgetBytes: 40 * 1024 } });
    const report = reportSchema.parse((await answer(page, 4, 120_000)).result);
    assert.equal(report.variants[0].status, 'skipped');
    assert.match(report.variants[0].reason!, /^would need .* of intermediates and weights at N = \d+; the memory budget is/u);
    assert.equal(report.variants[1].status, 'ok');
  });

  it('cancel: a kernel that runs on past the grace period ends the call within a second, and the next call gets a fresh worker', async () => {
    // full at N = 4096 on SwiftShader: its first kernel takes seconds.
    const long = Array.from({ length: 4096 }, (_, i) => ({ id: (i * 7919) % 50000, text: `#${i}` }));
    await call(page, 5, 'profile', {
      input: { kind: 'tokens', tokens: long, from: 'ids' },
      settings: { ...SETTINGS, backend: 'view-webgl2', variants: ['full'], d: 64, mapSize: 0 },
    });
    await page.waitForFunction(
      () => (window as unknown as { __posted: Array<{ t?: string; id?: number; event?: { phase?: string } }> }).__posted.some((m) => m.id === 5 && m.event?.phase === 'compiling'),
      undefined,
      { timeout: 120_000 },
    );
    const cancelled = Date.now();
    await page.evaluate(() => window.postMessage({ t: 'cancel', id: 5 }, '*'));
    const { error } = await answer(page, 5, 10_000);
    const ms = Date.now() - cancelled;
    assert.equal(error?.code, 'cancelled', JSON.stringify(error));
    assert.ok(ms < 1000, `the call ended ${ms} ms after the cancel`);
    await call(page, 6, 'profile', {
      input: { kind: 'tokens', tokens: tokens('a fresh worker after the cancel'), from: 'text' },
      settings: { ...SETTINGS, backend: 'view-webgl2', variants: ['sliding'] },
    });
    assert.equal(reportSchema.parse((await answer(page, 6, 120_000)).result).variants[0].status, 'ok');
  });

  it('keeps the strict CSP: no violation, and no page error', async () => {
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(errors, []);
  });
});
