// Data for the commission-page tests: reports filed through the real intake (POST /api/reports as an
// observer, photos with EXIF), then grouped into incidents by the processing pipeline when it is wired
// (workers/processors.ts has a processor for the reports queue); until then the same grouping is written
// through the database, with the shared recomputeIncident so the incident aggregates are the real ones.
import type { TestServer, TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { processors } from '../../../workers/processors.ts';
import { QUEUES } from '../../../src/queue/names.ts';
import { recomputeIncident } from '../../../src/incidents/aggregate.ts';

type Stance = 'violation' | 'compliance' | 'information';

export interface SeedReport {
  narrative: string;
  language: 'en' | 'ar';
  observedAt: string;
  lat: number;
  lon: number;
  placeName: string;
  partyAlleged: 'LAAF' | 'GNA' | 'foreign' | 'unknown';
  /** Term id → words of the narrative the (fallback) classification cites as evidence. */
  evidence: Record<string, string[]>;
  stance: Stance;
  photo?: { takenAt?: string; lat?: number; lon?: number };
}

/** Reports of one incident each; several entries with the same group form one incident. */
export interface SeedIncident {
  reports: SeedReport[];
}

const pipelineWired = () => QUEUES.reports in processors;

async function fileReport(s: TestServer, observer: TestUser, r: SeedReport, seed: number): Promise<string> {
  const fields = makeReport({
    narrative: r.narrative,
    observedAt: r.observedAt,
    lat: r.lat,
    lon: r.lon,
    placeName: r.placeName,
    partyAlleged: r.partyAlleged,
  });
  const files = r.photo
    ? [{ data: await makeJpeg(seed, { exif: exifOf(r.photo) }), name: `photo-${seed}.jpg`, type: 'image/jpeg' }]
    : [];
  const res = await bearer(s.url, observer.token).form('/api/reports', reportForm(fields, files));
  if (res.status !== 201) throw new Error(`report intake answered ${res.status}: ${res.text}`);
  return res.body.id as string;
}

// EXIF DateTime is "YYYY:MM:DD HH:MM:SS" in the camera's local time; the fixtures give Libya time (UTC+2).
function exifOf(p: NonNullable<SeedReport['photo']>) {
  const local = p.takenAt
    ? new Date(new Date(p.takenAt).getTime() + 2 * 3600_000)
        .toISOString()
        .slice(0, 19)
        .replace('T', ' ')
        .replace(/-/g, ':')
    : undefined;
  return { takenAt: local, lat: p.lat, lon: p.lon };
}

function classificationOf(r: SeedReport) {
  const terms = Object.entries(r.evidence).map(([id, words]) => ({
    id,
    confidence: 0.8,
    evidence: words.map((w) => {
      const start = r.narrative.indexOf(w);
      if (start < 0) throw new Error(`fixture evidence "${w}" is not in its narrative`);
      return { start, end: start + w.length, text: w };
    }),
  }));
  return { terms, stance: r.stance };
}

async function waitFor<T>(what: string, fn: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Files every report, lets them become incidents, and returns the incident ids in fixture order. */
export async function seedIncidents(s: TestServer, observer: TestUser, incidents: SeedIncident[]): Promise<string[]> {
  const db = s.rt.db;
  let seed = 1;
  const filed: string[][] = [];
  for (const inc of incidents) {
    const ids: string[] = [];
    for (const r of inc.reports) ids.push(await fileReport(s, observer, r, seed++));
    filed.push(ids);
  }
  if (pipelineWired()) {
    // The pipeline decides the grouping itself; the fixtures are far apart in place or time, so it should agree.
    const all = filed.flat();
    await waitFor(
      'the pipeline to process the reports',
      async () => {
        const done = await db.report.count({
          where: { id: { in: all }, status: 'processed', incidentId: { not: null } },
        });
        return done === all.length ? true : null;
      },
      60_000,
    );
    const out: string[] = [];
    for (const ids of filed) out.push((await db.report.findUniqueOrThrow({ where: { id: ids[0] } })).incidentId!);
    return out;
  }
  const out: string[] = [];
  for (const [k, inc] of incidents.entries()) {
    const ids = filed[k]!;
    const first = inc.reports[0]!;
    const id = await db.$transaction(async (tx) => {
      const incident = await tx.incident.create({
        data: { firstObservedAt: new Date(first.observedAt), lastObservedAt: new Date(first.observedAt) },
      });
      for (const [j, r] of inc.reports.entries()) {
        const cls = classificationOf(r);
        await tx.report.update({
          where: { id: ids[j] },
          data: {
            status: 'processed',
            processedAt: new Date(),
            language: r.language,
            classification: cls,
            terms: cls.terms.map((x) => x.id),
            stance: r.stance,
            confidence: 0.8,
            incidentId: incident.id,
            assignmentScore: j === 0 ? 1 : 0.82,
            assignmentReasons: j === 0 ? ['first report of the incident'] : ['within 3 km', 'within 2 h', 'same terms'],
          },
        });
      }
      await recomputeIncident(tx, incident.id);
      return incident.id;
    });
    out.push(id);
  }
  return out;
}
