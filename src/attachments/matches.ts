// Near-identical photos around an incident, for the reviewer: each photo of its reports against the photos of every
// report observed within a week of it (in this incident or another), pairs within the dedup threshold, nearest first,
// with the hamming distance and each side's EXIF, so the two can be looked at side by side.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { PHOTO_MATCH_MAX_DISTANCE } from '../dedup/photos.ts';
import { findIncidentForCustody } from '../incidents/repository.ts';
import type { FileStore } from '../storage/files.ts';
import { describeExif } from './exif.ts';
import { attachmentsForComparison, photosNear, photosOfIncident } from './repository.ts';

const WINDOW_MS = 7 * 86_400_000;
const MAX_PHOTOS = 200;
const MAX_PAIRS = 100;

const PhotoSide = z.object({
  attachmentId: z.string().uuid(),
  reportId: z.string().uuid(),
  incidentId: z.string().uuid().nullable(),
  sameIncident: z.boolean(),
  originalName: z.string(),
  mime: z.string(),
  sha256: z.string(),
  phash: z.string(),
  receivedAt: z.string(),
  observedAt: z.string(),
  placeName: z.string().nullable(),
  exif: z.object({
    takenAt: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    /** Camera, software, size and capture settings, as read from the file. */
    tags: z.record(z.string(), z.unknown()).nullable(),
  }),
});
export const PhotoMatches = z
  .object({
    threshold: z.number().int(),
    matches: z.array(
      z.object({
        distance: z.number().int().meta({ description: 'Bits of the 64-bit perceptual hashes that differ' }),
        sameFile: z.boolean(),
        a: PhotoSide,
        b: PhotoSide,
      }),
    ),
  })
  .meta({ id: 'PhotoMatches' });
export type PhotoMatches = z.infer<typeof PhotoMatches>;

export async function photoMatchesOfIncident(db: Db, files: FileStore, incidentId: string): Promise<PhotoMatches> {
  const incident = await findIncidentForCustody(db, incidentId);
  if (!incident) throw new NotFound('incident');
  const mine = await photosOfIncident(db, incidentId, MAX_PHOTOS);
  const byHash = new Map<string, string[]>();
  for (const p of mine) byHash.set(p.phash!, [...(byHash.get(p.phash!) ?? []), p.id]);
  const near = await photosNear(
    db,
    [...byHash.keys()],
    {
      from: new Date(incident.firstObservedAt.getTime() - WINDOW_MS),
      to: new Date(incident.lastObservedAt.getTime() + WINDOW_MS),
    },
    PHOTO_MATCH_MAX_DISTANCE,
    MAX_PAIRS * 4,
  );
  const reportOf = new Map(mine.map((p) => [p.id, p.reportId]));
  const pairs = new Map<string, { a: string; b: string; distance: number }>();
  for (const n of near)
    for (const a of byHash.get(n.hash) ?? []) {
      if (a === n.id) continue;
      const key = [a, n.id].sort().join('|');
      if (!pairs.has(key)) pairs.set(key, { a, b: n.id, distance: n.distance });
    }
  const kept = [...pairs.values()].sort((x, y) => x.distance - y.distance).slice(0, MAX_PAIRS);
  const rows = await attachmentsForComparison(db, [...new Set(kept.flatMap((p) => [p.a, p.b]))]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const tags = new Map<string, Record<string, unknown> | null>();
  const side = async (id: string) => {
    const r = byId.get(id)!;
    if (!tags.has(r.sha256)) tags.set(r.sha256, await describeExif(files.pathOf(r.sha256), r.mime).catch(() => null));
    return {
      attachmentId: r.id,
      reportId: r.reportId,
      incidentId: r.report.incidentId,
      sameIncident: r.report.incidentId === incidentId,
      originalName: r.originalName,
      mime: r.mime,
      sha256: r.sha256,
      phash: r.phash ?? '',
      receivedAt: r.createdAt.toISOString(),
      observedAt: r.report.observedAt.toISOString(),
      placeName: r.report.placeName,
      exif: {
        takenAt: r.exifTakenAt?.toISOString() ?? null,
        lat: r.exifLat,
        lon: r.exifLon,
        tags: tags.get(r.sha256) ?? null,
      },
    };
  };
  const matches = [];
  for (const p of kept) {
    // Two photos of one report are not a match across reports.
    if (reportOf.get(p.a) !== undefined && reportOf.get(p.a) === byId.get(p.b)?.reportId) continue;
    const [a, b] = [await side(p.a), await side(p.b)];
    matches.push({ distance: p.distance, sameFile: a.sha256 === b.sha256, a, b });
  }
  return { threshold: PHOTO_MATCH_MAX_DISTANCE, matches };
}
