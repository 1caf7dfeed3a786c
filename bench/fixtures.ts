// Realistic synthetic field reports: clustered around Libyan towns and front lines, in English and Arabic,
// over the months after the October 2020 agreement. Deterministic for a given seed.
import { randomUUID } from 'node:crypto';
import sharp, { type SharpOptions } from 'sharp';
import { seeded } from '../src/eval/random.ts';

export const TOWNS = [
  { en: 'Sirte', ar: 'سرت', lat: 31.205, lon: 16.588 },
  { en: 'Al Jufra', ar: 'الجفرة', lat: 29.116, lon: 15.948 },
  { en: 'Abu Grein', ar: 'أبو قرين', lat: 31.45, lon: 15.25 },
  { en: 'Misrata', ar: 'مصراتة', lat: 32.375, lon: 15.092 },
  { en: 'Tripoli', ar: 'طرابلس', lat: 32.887, lon: 13.191 },
  { en: 'Benghazi', ar: 'بنغازي', lat: 32.117, lon: 20.068 },
  { en: 'Ajdabiya', ar: 'أجدابيا', lat: 30.755, lon: 20.226 },
  { en: 'Brega', ar: 'البريقة', lat: 30.406, lon: 19.576 },
  { en: 'Ras Lanuf', ar: 'راس لانوف', lat: 30.5, lon: 18.55 },
  { en: 'Sabha', ar: 'سبها', lat: 27.038, lon: 14.426 },
  { en: 'Gharyan', ar: 'غريان', lat: 32.172, lon: 13.02 },
  { en: 'Tarhuna', ar: 'ترهونة', lat: 32.435, lon: 13.634 },
  { en: 'Al Watiya', ar: 'الوطية', lat: 32.475, lon: 12.0 },
  { en: 'Bani Walid', ar: 'بني وليد', lat: 31.756, lon: 13.994 },
  { en: 'Hun', ar: 'هون', lat: 29.127, lon: 15.947 },
  { en: 'Tobruk', ar: 'طبرق', lat: 32.083, lon: 23.976 },
];

const EN = [
  'Column of {n} technicals moving west from {town} towards the front line.',
  'Artillery shelling heard south of {town}, {n} impacts counted in one hour.',
  'Foreign fighters seen at the airbase near {town}; about {n} vehicles.',
  'Checkpoint on the coastal road near {town} reopened, traffic flowing.',
  'Exchange of prisoners took place at {town}, {n} detainees released.',
  'Drone flying over {town} for about {n} minutes, no strike observed.',
  'Heavy weapons withdrawn from positions east of {town}.',
  'Landmines reported on the road out of {town}, {n} civilians injured.',
];
const AR = [
  'رتل من {n} سيارات مسلحة يتحرك غربا من {town} نحو خط التماس.',
  'سماع قصف مدفعي جنوب {town}، وسقوط {n} قذائف خلال ساعة.',
  'مشاهدة مقاتلين أجانب في القاعدة الجوية قرب {town}.',
  'إعادة فتح الطريق الساحلي قرب {town} وحركة المرور طبيعية.',
  'تبادل أسرى في {town} والإفراج عن {n} محتجزين.',
  'طائرة مسيرة تحلق فوق {town} لمدة {n} دقيقة دون قصف.',
  'سحب الأسلحة الثقيلة من المواقع شرق {town}.',
  'ألغام على الطريق الخارج من {town} وإصابة {n} مدنيين.',
];
const PARTIES = ['LAAF', 'GNA', 'foreign', 'unknown'] as const;
export { seeded };

const START = Date.UTC(2020, 9, 24); // the day after the agreement was signed

export function makeFieldReport(rand: () => number, opts: { withinDays?: number } = {}): Record<string, unknown> {
  const town = TOWNS[Math.floor(rand() * TOWNS.length)]!;
  const ar = rand() < 0.45;
  const templates = ar ? AR : EN;
  const n = 2 + Math.floor(rand() * 20);
  const narrative = templates[Math.floor(rand() * templates.length)]!.replace('{town}', ar ? town.ar : town.en).replace(
    '{n}',
    String(n),
  );
  const days = opts.withinDays ?? 200;
  // Clustered: within a few km of the town and within hours of one of a few "event" moments a day.
  const observed = new Date(
    START +
      Math.floor(rand() * days) * 86_400_000 +
      Math.floor(rand() * 6) * 4 * 3600_000 +
      Math.floor(rand() * 3600_000),
  );
  return {
    clientId: randomUUID(),
    observedAt: observed.toISOString(),
    lat: Math.round((town.lat + (rand() - 0.5) * 0.06) * 1e5) / 1e5,
    lon: Math.round((town.lon + (rand() - 0.5) * 0.06) * 1e5) / 1e5,
    accuracyM: 5 + Math.floor(rand() * 50),
    placeName: ar ? town.ar : town.en,
    narrative,
    partyAlleged: PARTIES[Math.floor(rand() * PARTIES.length)]!,
    ...(rand() < 0.3 ? { casualties: { injured: Math.floor(rand() * 5), killed: Math.floor(rand() * 2) } } : {}),
  };
}

/** A photo-sized JPEG (noise compresses badly, like a real photo) of roughly `targetBytes`. */
export async function makePhoto(targetBytes = 210 * 1024): Promise<Buffer> {
  let side = 400;
  for (let i = 0; i < 12; i += 1) {
    const jpeg = await sharp({
      create: {
        width: side,
        height: Math.round(side * 0.75),
        channels: 3,
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    } as SharpOptions)
      .jpeg({ quality: 70 })
      .toBuffer();
    const ratio = targetBytes / jpeg.length;
    if (Math.abs(ratio - 1) < 0.03) return jpeg;
    side = Math.round(side * Math.sqrt(ratio));
  }
  throw new Error('could not size the photo');
}

/** The photo made unique by a JPEG comment segment right after SOI (still a valid JPEG, new SHA-256). */
export function uniquePhoto(base: Buffer, tag: string): Buffer {
  const text = Buffer.from(tag.padEnd(40, ' ').slice(0, 40), 'latin1');
  const com = Buffer.alloc(4 + text.length);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(2 + text.length, 2);
  text.copy(com, 4);
  return Buffer.concat([base.subarray(0, 2), com, base.subarray(2)] as Uint8Array[]);
}

/** A multipart/form-data body built by hand: autocannon sends bytes, not FormData. */
export function multipart(
  boundary: string,
  fields: Array<[string, string]>,
  files: Array<{ field: string; name: string; type: string; data: Buffer }>,
): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, 'utf8'));
  }
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`,
        'utf8',
      ),
    );
    parts.push(f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts as Uint8Array[]);
}

/** The XML instance ODK Collect posts for the ceasefire_report form (see src/openrosa/form.ts). */
export function collectXml(r: Record<string, unknown>, photoName: string | null): string {
  const c = (r.casualties ?? {}) as Record<string, number>;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    `<?xml version='1.0' ?><data xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms" id="ceasefire_report" version="2020102302">` +
    `<narrative>${esc(String(r.narrative))}</narrative><observed_at>${String(r.observedAt).replace('Z', '+00:00')}</observed_at>` +
    `<location>${r.lat} ${r.lon} 0.0 ${r.accuracyM}</location><place_name>${esc(String(r.placeName ?? ''))}</place_name><party>${r.partyAlleged}</party>` +
    `<casualties><killed>${c.killed ?? ''}</killed><injured>${c.injured ?? ''}</injured><missing></missing><detained></detained></casualties>` +
    `<photo>${photoName ?? ''}</photo><orx:meta><orx:instanceID>uuid:${r.clientId}</orx:instanceID></orx:meta></data>`
  );
}
