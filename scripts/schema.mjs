// Writes docs/report.schema.json from the zod schema in src/core/report.ts (the single source).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

const json = execFileSync(process.execPath, ['--import', 'tsx', '-e', "process.stdout.write(JSON.stringify(require('./src/core/report.ts').reportJsonSchema(), null, 2))"], { encoding: 'utf8' });
fs.mkdirSync('docs', { recursive: true });
fs.writeFileSync('docs/report.schema.json', `${json}\n`);
console.log('wrote docs/report.schema.json');
