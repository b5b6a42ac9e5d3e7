import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { GOLDEN_DIR, SHARED_GOLDEN_DIR } from './helpers';

it('test/golden holds the current copy of the shared golden files', { skip: !fs.existsSync(SHARED_GOLDEN_DIR) && 'no shared/golden next to this checkout' }, () => {
  for (const name of fs.readdirSync(SHARED_GOLDEN_DIR).filter((f) => f.endsWith('.json'))) {
    assert.ok(fs.readFileSync(path.join(GOLDEN_DIR, name)).equals(fs.readFileSync(path.join(SHARED_GOLDEN_DIR, name))), `${name} differs from ${SHARED_GOLDEN_DIR}`);
  }
});
