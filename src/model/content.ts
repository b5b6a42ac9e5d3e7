import { z } from 'zod';
import { omittedPartSchema, reportSchema, storeReport, type OmittedPart, type StoredReport } from './report';
import { sweepReportSchema } from './sweep';

/** What an export or a saved file holds: a run (its maps inside, when it has them) or a sweep. */
export const contentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('run'),
    report: reportSchema,
    omitted: z.array(omittedPartSchema).optional().describe('read from a file: the parts of it that are not shown, and why'),
  }),
  z.object({ kind: z.literal('sweep'), sweep: sweepReportSchema }),
]);
export type ReportContent = z.infer<typeof contentSchema>;

/** The same, in its JSON form (what HTML reports embed). */
export type StoredContent = { kind: 'run'; report: StoredReport } | Extract<ReportContent, { kind: 'sweep' }>;

export function storeContent(content: ReportContent): StoredContent {
  return content.kind === 'run' ? { kind: 'run', report: storeReport(content.report) } : content;
}

/** One part left out, in words: "sliding: its map is not shown (rows: ...)". */
export function describeOmitted(part: OmittedPart): string {
  if (part.part === 'tokens') return `the tokens are not shown (${part.reason})`;
  return `${part.variant ?? 'a variant'}: ${part.part === 'map' ? 'its map is not shown' : 'not shown'} (${part.reason})`;
}

/** The parts of a file left out, in one line: the first two, and how many more. */
export function omittedLine(omitted: readonly OmittedPart[]): string {
  if (omitted.length === 0) return '';
  const first = omitted.slice(0, 2).map(describeOmitted).join('; ');
  return `Not everything in this file can be shown: ${first}${omitted.length > 2 ? `; and ${omitted.length - 2} more` : ''}.`;
}
