// `npm run generate`: writes everything derived from the variant registry and the schemas:
// - src/model/variant-ids.ts (the ids the extension host, the view and the protocol name),
// - contributes.configuration in package.json (the settings, from the variants' parameter specs),
// - docs/report.schema.json and docs/sweep.schema.json (the JSON Schemas of the files we write).
// test/generated.test.ts checks that all of them are current.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedFiles } from './generated';

for (const file of generatedFiles()) {
  fs.writeFileSync(path.resolve(__dirname, '..', file.path), file.content);
  console.log(`wrote ${file.path}`);
}
