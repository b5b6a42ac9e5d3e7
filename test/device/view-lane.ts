// Runs all 14 variants in the view's GPU lane (view-webgpu), in headless Chromium on the machine's
// real GPU, at the lengths given, and writes each report to OUT/view-webgpu-N.json with a table
// of per-variant times. Part of scripts/device-check.sh (a machine with a GPU); never part of CI.
// Usage: node --import tsx test/device/view-lane.ts OUT N1 N2 ...
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULTS, MIB } from '../../src/model/limits';
import { reportSchema } from '../../src/model/report';
import { VARIANT_IDS } from '../../src/model/variant-ids';
import { chromiumPath } from '../browser/chromium';
import { STUB, serveView } from '../browser/view-page';

const [out = 'device-out', ...lengths] = process.argv.slice(2);

async function main(): Promise<void> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium (apt-get install chromium)');
  const server = await serveView();
  // The real GPU through Vulkan: no SwiftShader switches here.
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--ignore-gpu-blocklist', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  await page.addInitScript(STUB);
  await page.goto(`${server.url}?mode=live`);
  let id = 1;
  const ask = async (method: string, request: unknown, timeoutMs: number): Promise<{ result?: unknown; error?: unknown }> => {
    const my = id++;
    await page.evaluate((m) => window.postMessage(m, '*'), { t: 'call', id: my, method, request });
    await page.waitForFunction(
      (i) => (window as unknown as { __posted: Array<{ t?: string; id?: number }> }).__posted.some((m) => m.id === i && (m.t === 'result' || m.t === 'error')),
      my,
      { timeout: timeoutMs, polling: 250 },
    );
    return page.evaluate(
      (i) =>
        (window as unknown as { __posted: Array<{ t?: string; id?: number; result?: unknown; error?: unknown }> }).__posted.find(
          (m) => m.id === i && (m.t === 'result' || m.t === 'error'),
        ) ?? {},
      my,
    );
  };
  console.log('probe:', JSON.stringify((await ask('probe', { backends: ['view-webgpu', 'view-webgl2'] }, 60_000)).result));
  for (const n of lengths.map(Number)) {
    const tokens = Array.from({ length: n }, (_, i) => ({ id: (i * 7919) % 50000, text: `#${i}` }));
    const settings = { ...DEFAULTS, backend: 'view-webgpu', variants: [...VARIANT_IDS], params: {}, memoryBudgetBytes: 16384 * MIB, timeBudgetMs: 0 };
    const answer = await ask('profile', { input: { kind: 'tokens', tokens, from: 'ids' }, settings }, 600_000);
    if (answer.error) {
      console.log(`N=${n}: error ${JSON.stringify(answer.error)}`);
      continue;
    }
    const report = reportSchema.parse(answer.result);
    fs.writeFileSync(path.join(out, `view-webgpu-${n}.json`), JSON.stringify({ ...report, variants: report.variants.map(({ map: _map, ...v }) => v) }, null, 1));
    console.log(`N=${n} on ${report.backend.device}`);
    for (const v of report.variants)
      console.log(
        `  ${v.id.padEnd(15)} ${v.status.padEnd(8)} median ${v.time ? v.time.medianMs.toFixed(2) : '-'} ms  first ${v.time ? v.time.firstCallMs.toFixed(0) : '-'} ms  ${v.reason ?? ''}`,
      );
  }
  await browser.close();
  server.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
