// Bulk-loads a realistic store straight in SQL (generate_series), far faster than the API: incidents
// clustered around Libyan towns over a period, each with 1–8 reports in English or Arabic near it in space
// and time, already classified and assigned. Used by the dedup and digest benchmarks.
import type { Db } from '../src/db/client.ts';
import { TOWNS } from './fixtures.ts';

const TERMS = [
  'troop_return',
  'mercenary_withdrawal',
  'road_opening',
  'hostilities',
  'arms_transfer',
  'detainee_exchange',
  'oil_facilities',
  'mines_uxo',
];

export interface SeedOptions {
  reports: number;
  from: Date;
  to: Date;
  observerId: string;
  /** Mean reports per incident. */
  perIncident?: number;
  /** The geo cell of a position, as the pipeline computes it, written as SQL over columns lat, lon. */
  geoCellSql?: string;
  /** Also write Report.features (the dedup features, src/dedup/features.ts) as the pipeline would. */
  features?: boolean;
}

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function seedStore(db: Db, o: SeedOptions): Promise<{ incidents: number; reports: number }> {
  const incidents = Math.max(1, Math.round(o.reports / (o.perIncident ?? 4)));
  const towns = TOWNS.map((t) => `(${sqlText(t.en)}, ${sqlText(t.ar)}, ${t.lat}, ${t.lon})`).join(',');
  const terms = `ARRAY[${TERMS.map(sqlText).join(',')}]`;
  const span = (o.to.getTime() - o.from.getTime()) / 1000;
  const cell = o.geoCellSql ?? `round(lat::numeric, 2)::text || ':' || round(lon::numeric, 2)::text`;
  await db.$executeRawUnsafe(`
    INSERT INTO "Incident" (id, state, terms, stance, parties, confidence, severity, lat, lon, "geoCell", "placeName",
                            "firstObservedAt", "lastObservedAt", "reportCount", languages, summary)
    SELECT gen_random_uuid(),
           (ARRAY['new','new','new','under_review','verified','verified','rejected','needs_info'])[1 + floor(random() * 8)::int]::"IncidentState",
           ARRAY[(${terms})[1 + floor(random() * ${TERMS.length})::int]],
           (ARRAY['violation','violation','compliance','information'])[1 + floor(random() * 4)::int]::"Stance",
           ARRAY[(ARRAY['LAAF','GNA','foreign','unknown'])[1 + floor(random() * 4)::int]],
           0.5 + random() / 2, floor(random() * 6)::int, lat, lon, ${cell}, en,
           t0, t0 + interval '3 hours', 0, ARRAY['en'], 'bench incident'
    FROM (
      SELECT t.en, t.lat + (random() - 0.5) * 0.06 AS lat, t.lon + (random() - 0.5) * 0.06 AS lon,
             to_timestamp(${o.from.getTime() / 1000} + random() * ${span}) AS t0
      FROM generate_series(1, ${incidents}) g
      JOIN (SELECT row_number() OVER () AS n, * FROM (VALUES ${towns}) v(en, ar, lat, lon)) t
        ON t.n = 1 + (g % ${TOWNS.length})
    ) s`);
  // Reports: each picks an incident at random and lies within ~1 km and 3 hours of it.
  await db.$executeRawUnsafe(`
    WITH inc AS (SELECT row_number() OVER (ORDER BY id) AS n, * FROM "Incident"),
    picks AS (SELECT g, 1 + floor(random() * ${incidents})::int AS n, random() < 0.45 AS ar FROM generate_series(1, ${o.reports}) g)
    INSERT INTO "Report" ("clientId", "observerId", source, "contentHash", "observedAt", lat, lon, "accuracyM", "placeName", narrative,
                          "partyAlleged", status, "processedAt", language, "normalizedText", "resolvedPlace", "resolvedLat", "resolvedLon",
                          "geoCell", terms, stance, confidence, "incidentId", "assignmentScore")
    SELECT gen_random_uuid(), '${o.observerId}'::uuid, 'api', md5(p.g::text) || md5(p.g::text || 'x'),
           i."firstObservedAt" + random() * interval '3 hours', i.lat + (random() - 0.5) * 0.01, i.lon + (random() - 0.5) * 0.01, 20,
           i."placeName",
           CASE WHEN p.ar THEN 'رتل من سيارات مسلحة يتحرك قرب ' || i."placeName" ELSE 'Column of technicals moving near ' || i."placeName" END,
           i.parties[1]::"Party", 'processed', now(), CASE WHEN p.ar THEN 'ar' ELSE 'en' END,
           CASE WHEN p.ar THEN 'رتل سيارات مسلحه يتحرك قرب' ELSE 'column technicals moving near' END,
           i."placeName", i.lat, i.lon, i."geoCell", i.terms, i.stance, i.confidence, i.id, 0.8
    FROM picks p JOIN inc i ON i.n = p.n`);
  // Aggregates the pipeline would maintain: reportCount, observation span, languages.
  await db.$executeRawUnsafe(`
    UPDATE "Incident" i SET "reportCount" = a.c, "firstObservedAt" = a.f, "lastObservedAt" = a.l, languages = a.langs
    FROM (SELECT "incidentId", count(*)::int c, min("observedAt") f, max("observedAt") l, array_agg(DISTINCT language) langs
          FROM "Report" GROUP BY "incidentId") a
    WHERE a."incidentId" = i.id`);
  await db.$executeRawUnsafe(`DELETE FROM "Incident" WHERE "reportCount" = 0`);
  if (o.features) {
    await db.$executeRawUnsafe(`
      UPDATE "Report" SET features = jsonb_build_object(
        'v', 1, 'observedAt', to_char("observedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'eventDays', jsonb_build_array(to_char("observedAt" AT TIME ZONE 'Africa/Tripoli', 'YYYY-MM-DD')),
        'lat', lat, 'lon', lon, 'positionSource', 'coordinates', 'placeKey', NULL, 'places', '[]'::jsonb,
        'cells', jsonb_build_array("geoCell"), 'numbers', '[]'::jsonb, 'parties', jsonb_build_array("partyAlleged"::text),
        'nationalities', '[]'::jsonb, 'terms', to_jsonb(terms), 'stance', stance::text, 'concepts', '[]'::jsonb,
        'routine', false, 'attachmentHashes', '[]'::jsonb, 'language', language)`);
  }
  await db.$executeRawUnsafe(`ANALYZE "Report"`);
  await db.$executeRawUnsafe(`ANALYZE "Incident"`);
  const [{ n }] = await db.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int n FROM "Incident"`);
  return { incidents: n, reports: o.reports };
}
