// The observer app sends a report's photo in chunks (resumable uploads): the link is cut mid-upload, the page is
// reloaded or the phone goes offline, and once the connection is back the upload goes on from the server's offset;
// the report arrives once, with its byte-identical photo. Progress is told in words, in English and in Arabic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { Route } from 'playwright-core';
import { makeJpeg } from '../helpers/factories.ts';
import {
  eventually,
  fillReport,
  openApp,
  outboxItems,
  screenshotPath,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

const CHUNK = 256 * 1024;
let s: ObserverSession;
// The service worker's own requests are not seen by page routes; these tests cut the page's link.
beforeAll(async () => {
  s = await startObserverSession({ serviceWorkers: 'block' }, { relay: false });
});
afterAll(async () => {
  await s?.close();
});

/** A size as the app words it (public/app/i18n.js formatBytes). */
const bytesIn = (lang: string, bytes: number) => {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: mb ? 1 : 0,
  }).format(mb ? bytes / 1048576 : bytes / 1024);
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** About 700 KB: three chunks. Bytes after the JPEG's end do not change its type. */
const bigPhoto = async (seed: number) => Buffer.concat([await makeJpeg(seed), randomBytes(700 * 1024)]);

interface Chunk {
  id: string;
  offset: number;
  aborted: boolean;
}
/** Records every chunk the page sends; `cut(n)` makes the n-th (from 1) fail as a dropped link. */
async function watchChunks(cut: (n: number, route: Route) => Promise<boolean>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  await s.context.route('**/api/uploads/*', async (route) => {
    const req = route.request();
    if (req.method() !== 'PATCH') return route.fallback();
    const chunk = {
      id: req.url().split('/').pop()!,
      offset: Number(req.headers()['upload-offset']),
      aborted: false,
    };
    chunks.push(chunk);
    if (await cut(chunks.length, route)) {
      chunk.aborted = true;
      return route.abort('connectionreset');
    }
    return route.fallback();
  });
  return chunks;
}

const reportsOf = (observerId: string) =>
  s.server.rt.db.report.findMany({ where: { observerId }, include: { attachments: true } });

async function fileWithPhoto(narrative: string, photo: Buffer, submit: string): Promise<void> {
  await fillReport(s.page, { narrative, placeName: 'Sirte', photo: { name: 'column.jpg', buffer: photo } });
  await s.page.getByRole('button', { name: submit }).click();
}

async function expectStoredOnce(narrative: string, photo: Buffer): Promise<void> {
  await eventually(() => outboxItems(s.page), { timeout: 30_000 }).toEqual([]);
  const rows = (await reportsOf(s.observer.user.id)).filter((r) => r.narrative === narrative);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.attachments.map((a) => [a.sha256, a.sizeBytes, a.mime])).toEqual([
    [sha(photo), photo.length, 'image/jpeg'],
  ]);
  const stored = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    s.server.rt.files
      .read(sha(photo))
      .on('data', (c: Buffer) => parts.push(c))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
  expect(stored.equals(photo)).toBe(true);
}

describe('observer app, photos in chunks over a link that drops', () => {
  it('resumes after a cut and a reload from the offset the server holds; the report arrives once (English)', async () => {
    await openApp(s.page, s.server.url);
    await signIn(s.page, s.observer.username, s.observer.password);
    const photo = await bigPhoto(21);
    const narrative = 'Column of armoured vehicles seen leaving Sirte eastwards at dawn. Own observation.';
    // The link drops on the second chunk, and stays down (the app's own retries fail too) until `restored`.
    let restored = false;
    // The second chunk is held until the form's progress has been read, then the link drops.
    let letCut = () => {};
    const cutHeld = new Promise<void>((resolve) => (letCut = resolve));
    const chunks = await watchChunks(async (n) => {
      if (n === 2) await cutHeld;
      return n >= 2 && !restored;
    });
    await fileWithPhoto(narrative, photo, 'Send report');
    await eventually(() => s.page.locator('#submit').textContent()).toBe(
      `Sending photos: ${bytesIn('en', CHUNK)} of ${bytesIn('en', photo.length)}…`,
    );
    letCut();
    await eventually(() => s.page.locator('#flash').textContent()).toContain('saved on this device');
    const [waiting] = await outboxItems(s.page);
    expect(waiting).toBeDefined();
    expect(await reportsOf(s.observer.user.id)).toHaveLength(0);
    const uploadId = chunks[0]!.id;
    expect((await s.server.rt.db.photoUpload.findUniqueOrThrow({ where: { id: uploadId } })).offsetBytes).toBe(CHUNK);

    // The observer closes and reopens the app: the upload's id is kept with the report on the device.
    await s.page.reload();
    await s.page.waitForSelector('body[data-ready="true"]');
    await s.page.getByRole('link', { name: /Waiting to send/ }).click();
    await eventually(() => s.page.locator('#outbox-list .upload-progress').textContent()).toBe(
      `Photos: ${bytesIn('en', CHUNK)} of ${bytesIn('en', photo.length)} sent; the rest goes from there when the connection allows.`,
    );
    expect(bytesIn('en', CHUNK)).toBe('256 kB');
    await s.page.screenshot({ path: await screenshotPath('outbox-upload-progress-en'), fullPage: true });

    restored = true;
    await s.page.getByRole('button', { name: 'Send now' }).click();
    await expectStoredOnce(narrative, photo);
    // Never from the start again: the same upload throughout, every attempt after the cut from the server's offset.
    expect(chunks.every((c) => c.id === uploadId)).toBe(true);
    expect(chunks.filter((c) => c.offset === 0)).toHaveLength(1);
    expect(chunks.filter((c) => c.aborted).every((c) => c.offset === CHUNK)).toBe(true);
    expect(chunks.find((c, i) => i > 0 && !c.aborted)!.offset).toBe(CHUNK);
    await s.context.unroute('**/api/uploads/*');
  });

  it('goes offline mid-upload and finishes when the connection returns; all in Arabic', async () => {
    await s.page.getByRole('link', { name: 'New report' }).click();
    await s.page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await eventually(() => s.page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    const photo = await bigPhoto(22);
    const narrative = 'قصف مدفعي جنوب سرت قرب طريق المطار، سُمع لمدة عشرين دقيقة.';
    // The phone loses its signal while the second chunk is on the way.
    const chunks = await watchChunks(async (n) => {
      if (n !== 2) return false;
      await s.context.setOffline(true);
      return true;
    });
    await s.page.locator('#narrative').fill(narrative);
    await s.page.locator('#placeName').fill('سرت');
    await s.page.locator('#attachments').setInputFiles({ name: 'قصف.jpg', mimeType: 'image/jpeg', buffer: photo });
    await s.page.getByRole('button', { name: 'إرسال البلاغ' }).click();
    await eventually(async () => (await outboxItems(s.page)).map((i) => i.state)).toEqual(['retry']);
    await s.page.locator('a[href="#outbox"]').first().click();
    await eventually(() => s.page.locator('#outbox-list .upload-progress').textContent()).toBe(
      `الصور: أُرسل ${bytesIn('ar', CHUNK)} من ${bytesIn('ar', photo.length)}؛ يُستأنف الباقي من حيث توقف حين يسمح الاتصال.`,
    );
    await s.page.screenshot({ path: await screenshotPath('outbox-upload-progress-ar'), fullPage: true });

    // The connection returns: the app sends at once (the online event), from the server's offset.
    await s.context.setOffline(false);
    await expectStoredOnce(narrative, photo);
    expect(chunks.filter((c) => c.offset === 0)).toHaveLength(1);
    expect(chunks.find((c, i) => i > 0 && !c.aborted)!.offset).toBe(CHUNK);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    await s.context.unroute('**/api/uploads/*');
  });
});
