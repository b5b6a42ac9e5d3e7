// Writes docs/report.schema.json and docs/sweep.schema.json from the zod schemas in
// src/core/report.ts (the single source). test/report.test.ts checks that they are current.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

fs.mkdirSync('docs', { recursive: true });
for (const [fn, file] of [['reportJsonSchema', 'docs/report.schema.json'], ['sweepJsonSchema', 'docs/sweep.schema.json']]) {
  const json = execFileSync(process.execPath, ['--import', 'tsx', '-e', `process.stdout.write(JSON.stringify(require('./src/core/report.ts').${fn}(), null, 2))`], { encoding: 'utf8' });
  fs.writeFileSync(file, `${json}\n`);
  console.log(`wrote ${file}`);
}
