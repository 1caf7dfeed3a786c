// Server-side thumbnails so reviewers on thin links never download full-size photos to triage an incident.
import sharp from 'sharp';

export async function makeThumbnail(data: Buffer, width = 320): Promise<Buffer> {
  return sharp(data, { failOn: 'none', limitInputPixels: 100_000_000 })
    .rotate()
    .resize({ width, height: width, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer();
}
