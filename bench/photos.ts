// Perceptual hash cost per photo: decode (sharp, shrink-on-load) and hash, as the workers do before dedup, on the
// intake benchmark's 210 KB photo, a generated 960×720 scene and the same scene as a 12-megapixel phone photo.
// CPU is the process's (libvips threads included) divided by the photos hashed, one after the other.
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { perceptualHash } from '../src/attachments/phash.ts';
import { makePhotoSet } from '../src/eval/photo-set.ts';
import { makePhoto } from './fixtures.ts';

export interface PhotoHashFigures {
  [photo: string]: { bytes: number; pixels: string; msMedian: number; msP95: number; cpuMsPerPhoto: number };
}

async function measure(data: Buffer, n: number) {
  for (let i = 0; i < 3; i++) await perceptualHash(data);
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await perceptualHash(data);
    ms.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  ms.sort((a, b) => a - b);
  const meta = await sharp(data).metadata();
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    bytes: data.length,
    pixels: `${meta.width}x${meta.height}`,
    msMedian: r2(ms[ms.length >> 1]!),
    msP95: r2(ms[Math.floor(ms.length * 0.95)]!),
    cpuMsPerPhoto: r2((cpu.user + cpu.system) / 1000 / n),
  };
}

export async function benchPhotoHash(opts: { n: number }): Promise<PhotoHashFigures> {
  const scene = (await makePhotoSet(1, 3))[0]!.data;
  const phone = await sharp(scene).resize(4032, 3024).jpeg({ quality: 90 }).toBuffer();
  return {
    'intake photo (noise)': await measure(await makePhoto(), opts.n),
    'scene 960x720': await measure(scene, opts.n),
    'phone 12 MP': await measure(phone, Math.max(5, Math.round(opts.n / 4))),
  };
}
