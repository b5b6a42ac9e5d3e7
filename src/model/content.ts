import { z } from 'zod';
import { reportSchema, storeReport, type StoredReport } from './report';
import { sweepReportSchema } from './sweep';

/** What an export or a saved file holds: a run (its maps inside, when it has them) or a sweep. */
export const contentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), report: reportSchema }),
  z.object({ kind: z.literal('sweep'), sweep: sweepReportSchema }),
]);
export type ReportContent = z.infer<typeof contentSchema>;

/** The same, in its JSON form (what HTML reports embed). */
export type StoredContent = { kind: 'run'; report: StoredReport } | Extract<ReportContent, { kind: 'sweep' }>;

export function storeContent(content: ReportContent): StoredContent {
  return content.kind === 'run' ? { kind: 'run', report: storeReport(content.report) } : content;
}
