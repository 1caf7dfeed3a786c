// Perceptual hashes of photos: near-identical pictures (re-sent, resized, re-encoded, lightly cropped, framed or
// screenshotted by another observer) get hashes a few bits apart; unrelated pictures differ in about half of the 64.
// sharp decodes (libjpeg shrinks on load, so a 12-megapixel photo costs a few milliseconds) and the DCT hash (pHash)
// of the grey pixels is computed here: the 8×8 lowest frequencies of a 32×32 thumbnail, each bit whether a
// coefficient is above their median, so brightness, contrast and compression noise barely move it.
import sharp from 'sharp';

export const PHASH_BITS = 64;
const N = 32;
const K = 8;

// The DCT-II basis for N points, computed once: COS[u][x] = cos((2x+1)uπ / 2N).
const COS = Array.from({ length: K }, (_, u) =>
  Float64Array.from({ length: N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N))),
);

/** 16 hex digits from N×N grey pixels (row-major). */
export function dctHash(pixels: Uint8Array | Buffer): string {
  // Separable 2-D DCT, only the K×K low frequencies: rows first (N×K), then columns (K×K).
  const rows = new Float64Array(N * K);
  for (let y = 0; y < N; y++)
    for (let u = 0; u < K; u++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += pixels[y * N + x]! * COS[u]![x]!;
      rows[y * K + u] = s;
    }
  const coeffs = new Float64Array(K * K);
  for (let v = 0; v < K; v++)
    for (let u = 0; u < K; u++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rows[y * K + u]! * COS[v]![y]!;
      coeffs[v * K + u] = s;
    }
  // The DC term (overall brightness) is left out of the median, as pHash does.
  const median = [...coeffs.subarray(1)].sort((a, b) => a - b)[(K * K - 1) >> 1]!;
  let hex = '';
  for (let i = 0; i < K * K; i += 4) {
    let nibble = 0;
    for (let j = 0; j < 4; j++) nibble = (nibble << 1) | (coeffs[i + j]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

// Lines (rows or columns) this flat are a plain border, a letterbox bar or a frame, not a photo: JPEG leaves a solid
// border at a standard deviation of 0–1 grey levels, while a photo's flattest sky keeps its sensor noise above it.
const FLAT = 1;
// A busy band this thin between plain bars (a phone's status bar above a letterboxed photo) is screen chrome.
const CHROME = 0.1;
const BAR = 0.03;
const DECODE = 256;

/** [start, end) of the content along one axis, from each line's standard deviation: plain margins and chrome peeled. */
export function contentSpan(std: ArrayLike<number>): [number, number] {
  const len = std.length;
  const flat = (i: number) => std[i]! < FLAT;
  const peel = (from: number, step: 1 | -1) => {
    const inside = (i: number) => i >= 0 && i < len;
    let i = from;
    for (;;) {
      while (inside(i) && flat(i)) i += step;
      let j = i;
      while (inside(j) && !flat(j)) j += step;
      let k = j;
      while (inside(k) && flat(k)) k += step;
      const busy = Math.abs(j - i);
      if (busy > 0 && busy < CHROME * len && inside(k) && Math.abs(k - j) >= BAR * len) i = k;
      else return i;
    }
  };
  const start = peel(0, 1);
  const end = peel(len - 1, -1) + 1;
  // Too little left: a picture that is mostly plain; hash it whole rather than a sliver of it.
  return end - start < 0.2 * len ? [0, len] : [start, end];
}

function lineStd(px: Buffer, w: number, rows: [number, number], cols: [number, number], byRow: boolean): Float64Array {
  const [outer0, outer1] = byRow ? rows : cols;
  const [inner0, inner1] = byRow ? cols : rows;
  const out = new Float64Array(outer1 - outer0);
  const n = inner1 - inner0;
  for (let o = outer0; o < outer1; o++) {
    let s = 0;
    let s2 = 0;
    for (let i = inner0; i < inner1; i++) {
      const v = px[byRow ? o * w + i : i * w + o]!;
      s += v;
      s2 += v * v;
    }
    out[o - outer0] = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  }
  return out;
}

/**
 * N×N grey pixels of the picture's content: oriented by EXIF, decoded small (shrink-on-load), then plain borders,
 * letterbox bars and a phone's status bar around a screenshotted photo cut away, so a framed or screenshotted copy
 * hashes like the photo itself.
 */
export async function hashPixels(data: Buffer | string): Promise<Buffer> {
  const { data: px, info } = await sharp(data, { failOn: 'none', limitInputPixels: 100_000_000 })
    .rotate()
    .greyscale()
    .resize(DECODE, DECODE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  const rows = contentSpan(lineStd(px, w, [0, h], [0, w], true));
  // Columns are judged over the content rows only: bars above and below do not make a column look busy.
  const cols = contentSpan(lineStd(px, w, rows, [0, w], false));
  return sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .extract({ left: cols[0], top: rows[0], width: cols[1] - cols[0], height: rows[1] - rows[0] })
    .resize(N, N, { fit: 'fill' })
    .toColourspace('b-w') // one channel out, as it came in (sharp would otherwise widen it to sRGB)
    .raw()
    .toBuffer();
}

// Below this spread of grey levels a picture is plain (a blank frame, a lens cap, a solid test image): its hash would
// be made of rounding noise, and every plain picture would "match" every other.
const MIN_STD = 4;

/**
 * The perceptual hash of a picture (its bytes or a path), 16 hex digits; '' for a plain picture, which has nothing to
 * match on. Throws when it cannot be decoded.
 */
export async function perceptualHash(data: Buffer | string): Promise<string> {
  const px = await hashPixels(data);
  let s = 0;
  let s2 = 0;
  for (const v of px) {
    s += v;
    s2 += v * v;
  }
  const std = Math.sqrt(Math.max(0, s2 / px.length - (s / px.length) ** 2));
  return std < MIN_STD ? '' : dctHash(px);
}

const POPCOUNT = Uint8Array.from({ length: 16 }, (_, n) => (n & 1) + ((n >> 1) & 1) + ((n >> 2) & 1) + (n >> 3));

/** Bits that differ between two hashes (0 = the same picture as far as the hash can tell, ~32 = unrelated). */
export function hammingDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}
