// Labeled report files (JSONL, format in ../shared/data/README.md). Labels are read for scoring only.
import { z } from 'zod';

export const LabeledReport = z.object({
  id: z.string().min(1),
  lang: z.enum(['en', 'ar']),
  observedAt: z.string().datetime({ offset: true }),
  lat: z.number().nullable().optional(),
  lon: z.number().nullable().optional(),
  accuracyM: z.number().nullable().optional(),
  placeName: z.string().nullable().optional(),
  narrative: z.string(),
  partyAlleged: z.string().nullable().optional(),
  attachmentHashes: z.array(z.string()).optional(),
  labels: z.object({
    terms: z.array(z.string()).min(1),
    stance: z.enum(['violation', 'compliance', 'information']),
    incident: z.string().min(1),
  }),
});
export type LabeledReport = z.infer<typeof LabeledReport>;

export function parseLabeledJsonl(text: string): LabeledReport[] {
  const out: LabeledReport[] = [];
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    const r = LabeledReport.safeParse(raw);
    if (!r.success)
      throw new Error(`line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    if (ids.has(r.data.id)) throw new Error(`line ${i + 1}: duplicate id ${r.data.id}`);
    ids.add(r.data.id);
    out.push(r.data);
  });
  return out;
}
