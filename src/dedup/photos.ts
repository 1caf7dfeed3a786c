// The photo rule of dedup: a report whose photo is near-identical to one of a candidate incident's member reports
// joins that incident (see decideAssignment), whatever the text scores say. It sits beside the learned pair model,
// not in its feature list: the model was trained on text pairs without photos, and a photo re-sent by another observer
// is evidence of its own kind — the same picture of the same event — that no reading of two narratives should outweigh.
import { hammingDistance } from '../attachments/phash.ts';
import type { ReportFeatures } from './features.ts';

/**
 * Hashes this many bits apart or fewer are the same photo. Chosen on the generated photo set (npm run eval:photos):
 * copies (resized, re-encoded, cropped by up to ~10%, framed, screenshotted) fall below it, unrelated pictures and
 * lookalikes of the same landscape above it.
 */
export const PHOTO_MATCH_MAX_DISTANCE = 8;

/** The closest pair of photos of two reports, or null when they share none within the threshold. */
export function photoMatch(
  a: Pick<ReportFeatures, 'photoHashes'>,
  b: Pick<ReportFeatures, 'photoHashes'>,
): { distance: number; hashes: [string, string] } | null {
  let best: { distance: number; hashes: [string, string] } | null = null;
  for (const x of a.photoHashes ?? [])
    for (const y of b.photoHashes ?? []) {
      const d = hammingDistance(x, y);
      if (d <= PHOTO_MATCH_MAX_DISTANCE && (!best || d < best.distance)) best = { distance: d, hashes: [x, y] };
    }
  return best;
}
