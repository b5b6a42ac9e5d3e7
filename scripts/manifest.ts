// `npm run manifest`: writes the settings of package.json (contributes.configuration) from the
// variants' parameter specs (src/extension/settings-schema.ts). test/manifest.test.ts checks
// that package.json is current.
import * as fs from 'node:fs';
import { configurationContribution } from '../src/extension/settings-schema';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
pkg.contributes.configuration = configurationContribution();
fs.writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
console.log('wrote contributes.configuration in package.json');
