import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { generatedFiles } from '../scripts/generated';

const ROOT = path.resolve(__dirname, '..');

describe('files generated from the registry and the schemas (regenerate: npm run generate)', () => {
  for (const file of generatedFiles()) {
    it(`${file.path} is current`, () => {
      assert.equal(fs.readFileSync(path.join(ROOT, file.path), 'utf8'), file.content, `${file.path} is out of date: run npm run generate`);
    });
  }
});
