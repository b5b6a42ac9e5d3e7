import assert from 'node:assert/strict';
import { it } from 'node:test';
import { profile } from '../src/engine/profile';
import { compareRuns } from '../src/model/compare';
import { TEST_SETTINGS } from './helpers';

it('compares two runs: overlapping time ranges are noise, a halved memory is better, a missing variant is missing', async () => {
  const a = await profile({
    ...TEST_SETTINGS,
    input: { kind: 'text', text: 'one two three four five six', source: 'text' },
    tokenizer: 'whitespace',
    variants: ['full', 'sliding', 'rwkv'],
    d: 8,
  });
  const b = structuredClone(a);
  b.variants[0].time = { ...a.variants[0].time!, medianMs: a.variants[0].time!.medianMs * 1.5 }; // ranges still overlap
  b.variants[1].memory.measuredBytes = a.variants[1].memory.measuredBytes! / 2;
  b.variants.pop();
  const rows = compareRuns({ kind: 'run', report: a }, { kind: 'run', report: b });
  assert.deepEqual(
    rows.map((r) => [r.id, r.n]),
    [
      ['full', 6],
      ['sliding', 6],
      ['rwkv', 6],
    ],
  );
  assert.equal(rows[0].time.verdict, 'same', 'within the noise');
  assert.equal(rows[1].memory.verdict, 'better');
  assert.equal(rows[1].memory.ratio, 0.5);
  assert.equal(rows[2].time.verdict, 'missing');
});
