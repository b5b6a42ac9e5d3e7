import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { variantIdsModule } from '../src/engine/catalog';
import { VARIANTS } from '../src/engine/variants/registry';
import type { Variant } from '../src/engine/variants/variant';
import { storedReportSchema } from '../src/model/report';
import { storedSweepSchema } from '../src/model/exports';
import { configurationContribution } from './settings-schema';

/** The files `npm run generate` writes, with the content they must have for this registry. */
/** The project root: paths below are relative to it. */
const ROOT = path.resolve(__dirname, '..');

export function generatedFiles(variants: readonly Variant[] = VARIANTS): Array<{ path: string; content: string }> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: Record<string, unknown> };
  pkg.contributes.configuration = configurationContribution(variants);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return [
    { path: 'src/model/variant-ids.ts', content: variantIdsModule(variants) },
    { path: 'package.json', content: json(pkg) },
    { path: 'docs/report.schema.json', content: json(z.toJSONSchema(storedReportSchema)) },
    { path: 'docs/sweep.schema.json', content: json(z.toJSONSchema(storedSweepSchema)) },
  ];
}
