import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { profile } from '../src/engine/profile';
import { exportText, parseSaved } from '../src/model/exports';
import type { HtmlAssets } from '../src/model/export-html';
import { formatBytes } from '../src/model/format';
import { quantisationError, type VariantMap } from '../src/model/maps';
import { storeReport, type ProfileReport } from '../src/model/report';
import { VARIANT_IDS } from '../src/model/variant-ids';
import { TEST_SETTINGS } from './helpers';

const DIST = path.resolve(__dirname, '..', 'dist', 'webview');
const LIMIT = 3_000_000;

/** The case: a 1,000-token run with every variant and its 512 x 512 map. */
function recordLargeRun(): Promise<ProfileReport> {
  return profile({
    ...TEST_SETTINGS,
    input: { kind: 'ids', ids: Array.from({ length: 1000 }, (_, i) => (i * 7919) % 50_000).join(', ') },
    variants: [...VARIANT_IDS],
    d: 16,
    mapSize: 512,
  });
}

function htmlAssets(): HtmlAssets {
  const read = (name: string) => {
    const file = path.join(DIST, name);
    assert.ok(fs.existsSync(file), `${file} is missing: run npm run build`);
    return fs.readFileSync(file, 'utf8');
  };
  return { css: read('main.css'), viewerScript: read('report-viewer.js'), sha256Base64: (text) => crypto.createHash('sha256').update(text, 'utf8').digest('base64') };
}

function assertWithinQuantisation(id: string, original: VariantMap, back: VariantMap, quantisation: Parameters<typeof quantisationError>[0], scale: number): void {
  assert.deepEqual({ ...back, values: back.values.length }, { ...original, values: original.values.length }, `${id}: the map's sizes`);
  let worst = 0;
  for (let i = 0; i < original.values.length; i++) {
    const v = original.values[i];
    const error = Math.abs(back.values[i] - v);
    const tolerance = quantisationError(quantisation, scale, v) + Math.abs(v) * 1.2e-7;
    if (error > tolerance) assert.fail(`${id}: cell ${i} reads back as ${back.values[i]} for ${v} (${quantisation}, tolerance ${tolerance})`);
    worst = Math.max(worst, error);
  }
}

describe('exports of a 1,000-token run with all 14 maps (512 x 512)', () => {
  let run: ProfileReport;
  before(async () => {
    run = await recordLargeRun();
  });

  it('its JSON and its HTML report are each at most 3 MB', (t) => {
    assert.equal(run.input.n, 1000);
    assert.equal(run.variants.length, 14);
    assert.ok(
      run.variants.every((v) => v.map && v.map.rows === 512 && v.map.cols === 512),
      'every variant has its 512 x 512 map',
    );
    const json = exportText('json', { kind: 'run', report: run });
    const html = exportText('html', { kind: 'run', report: run }, htmlAssets());
    const jsonBytes = Buffer.byteLength(json);
    const htmlBytes = Buffer.byteLength(html);
    t.diagnostic(`JSON ${formatBytes(jsonBytes)}, HTML ${formatBytes(htmlBytes)} (of which the viewer script ${formatBytes(htmlAssets().viewerScript.length)})`);
    assert.ok(jsonBytes <= LIMIT, `the JSON export is ${formatBytes(jsonBytes)}`);
    assert.ok(htmlBytes <= LIMIT, `the HTML export is ${formatBytes(htmlBytes)}`);
  });

  it('a round trip (store, JSON, parse, load) gives back every map within its quantisation error', () => {
    const stored = storeReport(run);
    const text = exportText('json', { kind: 'run', report: run });
    const parsed = parseSaved(text);
    assert.ok(parsed.ok && parsed.content.kind === 'run', parsed.ok ? '' : parsed.error);
    assert.equal(parsed.content.omitted, undefined);
    const back = parsed.content.report;
    const withoutMaps = (r: ProfileReport) => ({ ...r, variants: r.variants.map((v) => ({ ...v, map: undefined })) });
    assert.deepEqual(withoutMaps(back), withoutMaps(run), 'everything but the maps is the same');
    for (const [i, v] of run.variants.entries()) {
      const values = stored.variants[i].map!.values;
      assert.equal(values.quantisation, v.map!.kind === 'mask' ? 'linear-u8' : 'log2-u16', `${v.id}: ${v.map!.kind} quantisation`);
      assertWithinQuantisation(v.id, v.map!, back.variants[i].map!, values.quantisation, 'scale' in values ? values.scale : 1);
    }
  });

  it('the same run saved by version 1 (maps as numbers) opens with the same maps', () => {
    const v1 = { ...storeReport(run), version: 1, variants: run.variants.map(({ map, ...v }) => ({ ...v, map: { ...map!, values: Array.from(map!.values) } })) };
    const parsed = parseSaved(JSON.stringify(v1));
    assert.ok(parsed.ok && parsed.content.kind === 'run', parsed.ok ? '' : parsed.error);
    for (const [i, v] of run.variants.entries()) assert.deepEqual(parsed.content.report.variants[i].map!.values, v.map!.values, v.id);
  });
});
