// A labeled set of photos for measuring perceptual matching (npm run eval:photos), made with sharp, deterministic per
// seed: outdoor scenes of the kind observers send (sky and desert gradients, buildings, vehicles, smoke, a road, sensor
// noise), each with the copies another observer would send of it (resized, re-encoded as JPEG or WebP, cropped,
// framed, screenshotted on a phone, brightened), and for every scene an unrelated lookalike: the same light, palette
// and horizon with the objects elsewhere, which must not match.
import sharp from 'sharp';
import { seeded } from './random.ts';

export type Transform =
  | 'original'
  | 'resize_half'
  | 'resize_small'
  | 'jpeg_q30'
  | 'webp_q50'
  | 'crop_5'
  | 'crop_10'
  | 'crop_20'
  | 'frame'
  | 'screenshot'
  | 'brighter'
  | 'combo';

export const TRANSFORMS: Transform[] = [
  'resize_half',
  'resize_small',
  'jpeg_q30',
  'webp_q50',
  'crop_5',
  'crop_10',
  'crop_20',
  'frame',
  'screenshot',
  'brighter',
  'combo',
];

export interface LabeledPhoto {
  /** Photos of one scene share a group; a lookalike is a group of its own. */
  group: string;
  transform: Transform;
  lookalike: boolean;
  data: Buffer;
}

interface Palette {
  skyTop: string;
  skyLow: string;
  groundNear: string;
  groundFar: string;
  horizon: number;
  sun: { x: number; y: number } | null;
}

const W = 960;
const H = 720;

const rgb = (r: number, g: number, b: number) => `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;

function palette(rand: () => number): Palette {
  const hazy = rand() < 0.4;
  const sky = hazy
    ? [200 + rand() * 40, 190 + rand() * 40, 170 + rand() * 40]
    : [60 + rand() * 80, 110 + rand() * 70, 180 + rand() * 70];
  const sand = [170 + rand() * 60, 130 + rand() * 50, 80 + rand() * 40];
  return {
    skyTop: rgb(sky[0]! * 0.8, sky[1]! * 0.85, sky[2]!),
    skyLow: rgb(Math.min(255, sky[0]! + 40), Math.min(255, sky[1]! + 35), Math.min(255, sky[2]! + 20)),
    groundFar: rgb(sand[0]!, sand[1]!, sand[2]!),
    groundNear: rgb(sand[0]! * 0.75, sand[1]! * 0.7, sand[2]! * 0.65),
    horizon: 0.35 + rand() * 0.25,
    sun: rand() < 0.5 ? { x: rand() * W, y: rand() * H * 0.25 } : null,
  };
}

/** The objects of a scene: what differs between a scene and its lookalike. */
function objects(rand: () => number, p: Palette): string {
  const hy = p.horizon * H;
  const parts: string[] = [];
  // Terrain: darker and lighter patches of sand and scrub, rocks; clouds in the sky.
  for (let i = 0; i < 10; i++) {
    const y = hy + rand() * (H - hy);
    const tone = rand() < 0.5 ? 'rgb(90,80,60)' : 'rgb(235,215,170)';
    parts.push(
      `<ellipse cx="${rand() * W}" cy="${y}" rx="${40 + rand() * 200}" ry="${6 + rand() * 30}" fill="${tone}" opacity="${0.15 + rand() * 0.25}" filter="url(#soft)"/>`,
    );
  }
  for (let i = 0; i < 14; i++)
    parts.push(
      `<circle cx="${rand() * W}" cy="${hy + 10 + rand() * (H - hy)}" r="${2 + rand() * 7}" fill="rgb(${60 + rand() * 50},${55 + rand() * 40},${45 + rand() * 30})"/>`,
    );
  for (let i = 0; i < Math.floor(rand() * 4); i++)
    parts.push(
      `<ellipse cx="${rand() * W}" cy="${rand() * hy * 0.7}" rx="${60 + rand() * 140}" ry="${15 + rand() * 30}" fill="white" opacity="${0.35 + rand() * 0.3}" filter="url(#soft)"/>`,
    );
  // A road from the bottom edge to a vanishing point on the horizon.
  const vx = W * (0.2 + rand() * 0.6);
  const bx = W * (0.1 + rand() * 0.8);
  parts.push(
    `<polygon points="${bx - 160},${H} ${bx + 160},${H} ${vx + 6},${hy} ${vx - 6},${hy}" fill="rgb(70,68,66)" opacity="0.85"/>`,
  );
  const buildings = 2 + Math.floor(rand() * 6);
  for (let i = 0; i < buildings; i++) {
    const w = 40 + rand() * 160;
    const h = 30 + rand() * 160;
    const x = rand() * (W - w);
    const base = hy + rand() * 60;
    const shade = 90 + rand() * 120;
    parts.push(
      `<rect x="${x}" y="${base - h}" width="${w}" height="${h}" fill="${rgb(shade, shade * 0.9, shade * 0.75)}"/>`,
    );
    const windows = Math.floor(rand() * 4);
    for (let j = 0; j < windows; j++)
      parts.push(
        `<rect x="${x + 8 + rand() * (w - 24)}" y="${base - h + 8 + rand() * (h - 24)}" width="10" height="12" fill="rgb(30,30,35)"/>`,
      );
  }
  const vehicles = Math.floor(rand() * 5);
  for (let i = 0; i < vehicles; i++) {
    const s = 0.5 + rand() * 1.5;
    const x = rand() * (W - 120 * s);
    const y = hy + 40 + rand() * (H - hy - 80);
    const c = rgb(60 + rand() * 120, 70 + rand() * 80, 40 + rand() * 60);
    parts.push(
      `<g transform="translate(${x},${y}) scale(${s})"><rect width="110" height="34" rx="4" fill="${c}"/>` +
        `<rect x="62" y="-20" width="40" height="22" fill="${c}"/>` +
        `<circle cx="22" cy="36" r="11" fill="rgb(25,25,25)"/><circle cx="88" cy="36" r="11" fill="rgb(25,25,25)"/></g>`,
    );
  }
  if (rand() < 0.5) {
    const x = rand() * W;
    for (let i = 0; i < 5; i++)
      parts.push(
        `<circle cx="${x + (rand() - 0.5) * 80}" cy="${hy - 40 - i * 45}" r="${30 + i * 14}" fill="rgb(80,80,80)" opacity="${0.5 - i * 0.07}" filter="url(#blur)"/>`,
      );
  }
  return parts.join('');
}

async function render(p: Palette, content: string, noiseSeed: number): Promise<Buffer> {
  const hy = p.horizon * H;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<defs>
<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${p.skyTop}"/><stop offset="1" stop-color="${p.skyLow}"/></linearGradient>
<linearGradient id="ground" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${p.groundFar}"/><stop offset="1" stop-color="${p.groundNear}"/></linearGradient>
<filter id="blur"><feGaussianBlur stdDeviation="12"/></filter>
<filter id="soft"><feGaussianBlur stdDeviation="6"/></filter>
</defs>
<rect width="${W}" height="${hy}" fill="url(#sky)"/>
<rect y="${hy}" width="${W}" height="${H - hy}" fill="url(#ground)"/>
${p.sun ? `<circle cx="${p.sun.x}" cy="${p.sun.y}" r="28" fill="rgb(255,250,225)" opacity="0.9"/>` : ''}
${content}
</svg>`;
  // Sensor noise (what a phone camera adds, and what makes the file photo-sized), one grey channel.
  let x = noiseSeed | 1;
  const noise = Buffer.alloc(W * H);
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = 128 + ((x & 63) - 32) + (((x >>> 8) & 31) - 16);
  }
  return sharp(Buffer.from(svg))
    .composite([{ input: noise, raw: { width: W, height: H, channels: 1 }, blend: 'soft-light' }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** One copy of a photo, as another observer would send it. */
export async function transform(photo: Buffer, t: Transform, rand: () => number): Promise<Buffer> {
  const img = () => sharp(photo);
  const crop = async (fraction: number) => {
    // The cut falls unevenly on the four sides, as a hand cropping on a phone does.
    const cutW = Math.round(W * fraction);
    const cutH = Math.round(H * fraction);
    const left = Math.round(cutW * rand());
    const top = Math.round(cutH * rand());
    return img()
      .extract({ left, top, width: W - cutW, height: H - cutH })
      .jpeg({ quality: 85 })
      .toBuffer();
  };
  switch (t) {
    case 'original':
      return photo;
    case 'resize_half':
      return img()
        .resize(W / 2)
        .jpeg({ quality: 85 })
        .toBuffer();
    case 'resize_small':
      return img().resize(320).jpeg({ quality: 80 }).toBuffer();
    case 'jpeg_q30':
      return img().jpeg({ quality: 30 }).toBuffer();
    case 'webp_q50':
      return img().webp({ quality: 50 }).toBuffer();
    case 'crop_5':
      return crop(0.05);
    case 'crop_10':
      return crop(0.1);
    case 'crop_20':
      return crop(0.2);
    case 'frame': {
      const b = Math.round(20 + rand() * 40);
      const colour = rand() < 0.5 ? { r: 255, g: 255, b: 255 } : { r: 0, g: 0, b: 0 };
      return img()
        .extend({ top: b, bottom: b, left: b, right: b, background: colour })
        .jpeg({ quality: 85 })
        .toBuffer();
    }
    case 'screenshot': {
      // A phone screen (portrait) showing the photo in a viewer: black bars around it, a status bar with icons on top.
      const sw = 720;
      const sh = 1280;
      const shown = await img().resize(sw).toBuffer();
      const shownH = Math.round((H * sw) / W);
      const icons = `<svg xmlns="http://www.w3.org/2000/svg" width="${sw}" height="48"><rect width="${sw}" height="48" fill="rgb(16,16,16)"/>
<text x="24" y="33" font-size="24" fill="white" font-family="sans-serif">12:4${Math.floor(rand() * 10)}</text>
<rect x="${sw - 90}" y="14" width="40" height="20" rx="3" fill="white"/><circle cx="${sw - 120}" cy="24" r="8" fill="white"/></svg>`;
      return sharp({ create: { width: sw, height: sh, channels: 3, background: { r: 0, g: 0, b: 0 } } })
        .composite([
          { input: shown, top: Math.round((sh - shownH) / 2), left: 0 },
          { input: Buffer.from(icons), top: 0, left: 0 },
        ])
        .png()
        .toBuffer();
    }
    case 'brighter':
      return img().modulate({ brightness: 1.15, saturation: 1.2 }).linear(1.1, -10).jpeg({ quality: 80 }).toBuffer();
    case 'combo': {
      const cropped = await crop(0.08);
      return sharp(cropped).resize(560).jpeg({ quality: 45 }).toBuffer();
    }
  }
}

/** `scenes` scenes, each with every transform, and as many unrelated lookalikes (with a few copies of their own). */
export async function makePhotoSet(scenes: number, seed = 2020): Promise<LabeledPhoto[]> {
  const out: LabeledPhoto[] = [];
  for (let s = 0; s < scenes; s++) {
    const rand = seeded(seed * 1000 + s);
    const p = palette(rand);
    const scene = await render(p, objects(rand, p), seed * 7 + s);
    out.push({ group: `scene${s}`, transform: 'original', lookalike: false, data: scene });
    for (const t of TRANSFORMS)
      out.push({ group: `scene${s}`, transform: t, lookalike: false, data: await transform(scene, t, rand) });
    // The lookalike: same light, palette, horizon and sun; the road, buildings and vehicles elsewhere.
    const other = await render(p, objects(seeded(seed * 1000 + s + 500_000), p), seed * 7 + s + 1);
    out.push({ group: `look${s}`, transform: 'original', lookalike: true, data: other });
    for (const t of ['resize_half', 'jpeg_q30'] as Transform[])
      out.push({ group: `look${s}`, transform: t, lookalike: true, data: await transform(other, t, rand) });
  }
  return out;
}
