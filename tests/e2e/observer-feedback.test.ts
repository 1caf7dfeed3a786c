// The observer hears back, in a real Chromium: each report's state in words, the commission's request for more
// information with its note, and an answer with a photo sent from "My reports", which the commission then sees. The
// answer's photos go as resumable uploads in chunks: a chunk cut on the way is resumed from the bytes the server
// holds, and a file the server refuses is named in the observer's language.
// English and Arabic; screenshots mine-feedback-{en,ar}.png, mine-addition-refused-ar.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { bearer } from '../helpers/http.ts';
import { makeJpeg, makeReport } from '../helpers/factories.ts';
import { fileAndWaitProcessed } from '../helpers/wait.ts';
import {
  eventually,
  openApp,
  screenshotPath,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

let s: ObserverSession;
let commission: ReturnType<typeof bearer>;
let answered: { id: string; incidentId: string };
let waiting: { id: string; incidentId: string };
const NOTE = 'Which road exactly? A photo of the vehicles would help.';
const NOTE_AR = 'أي طريق بالضبط؟ صورة للآليات ستفيد.';

beforeAll(async () => {
  s = await startObserverSession({ timezoneId: 'Africa/Tripoli' }, { workers: true });
  const observer = bearer(s.server.url, s.observer.token);
  commission = bearer(s.server.url, (await s.server.makeUser('commission')).token);
  answered = await fileAndWaitProcessed(observer, makeReport({ observedAt: '2020-11-14T05:40:00+02:00' }));
  waiting = await fileAndWaitProcessed(
    observer,
    makeReport({
      observedAt: '2020-11-20T09:00:00+02:00',
      lat: 32.3754,
      lon: 15.0925,
      placeName: 'Misrata',
      narrative: 'قصف مدفعي قرب مصراتة صباح اليوم',
    }),
  );
  for (const [r, note] of [
    [answered, NOTE],
    [waiting, NOTE_AR],
  ] as const) {
    expect((await commission.patch(`/api/incidents/${r.incidentId}`, { state: 'needs_info', note })).status).toBe(200);
  }
  await openApp(s.page, s.server.url);
  await signIn(s.page, s.observer.username, s.observer.password);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const item = (id: string) => s.page.locator(`#mine-list > li[data-report-id="${id}"]`);

describe('my reports: feedback and answers', () => {
  it("shows the commission's request with its note, and the answer form open", async () => {
    await s.page.getByRole('link', { name: 'My reports' }).click();
    const r = item(answered.id);
    await eventually(() => r.locator('.status').textContent()).toBe('More information needed');
    await expect(r.locator('.info-request p').textContent()).resolves.toBe(NOTE);
    await expect(r.locator('.info-request strong').textContent()).resolves.toMatch(/^The commission asked on /);
    await expect(r.getByLabel('Your answer').isVisible()).resolves.toBe(true);
    await s.page.screenshot({ path: await screenshotPath('mine-feedback-en'), fullPage: true });
  });

  it('sends an answer with a photo in chunks, resumed after a cut; the report shows it and is back under review', async () => {
    const r = item(answered.id);
    // Three chunks' worth (the app sends 256 KiB at a time): trailing bytes do not change a JPEG's type.
    const photo = Buffer.concat([await makeJpeg(5), randomBytes(600 * 1024)]);
    const sent: string[] = [];
    s.page.on('request', (req) => {
      if (req.url().includes('/api/uploads') || req.url().includes('/additions'))
        sent.push(`${req.method()} ${req.url()}`);
    });
    // The link drops during the second chunk, once.
    let patches = 0;
    await s.page.route('**/api/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) return route.abort('connectionreset');
      return route.fallback();
    });
    await r.getByLabel('Your answer').fill('The coastal road west of the Sirte gate, km 12.');
    await r.getByLabel('Photos or documents (optional)').setInputFiles({
      name: 'vehicles.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    });
    await r.getByRole('button', { name: 'Send' }).click();
    await eventually(() => r.locator('.add-form .note').textContent()).toBe('It could not be sent. Try again.');
    expect(sent.filter((x) => x.startsWith('POST') && x.endsWith('/api/uploads'))).toHaveLength(1);
    const upload = await s.server.rt.db.photoUpload.findFirstOrThrow({ where: { observerId: s.observer.user.id } });
    expect(upload).toMatchObject({ offsetBytes: 256 * 1024, reportId: null });

    await r.getByRole('button', { name: 'Send' }).click();
    await eventually(() => r.locator('.status').textContent()).toBe('Under review');
    await expect(r.locator('.additions li p').textContent()).resolves.toBe(
      'The coastal road west of the Sirte gate, km 12.',
    );
    await expect(r.locator('.additions li .hint').first().textContent()).resolves.toMatch(/^You answered on /);
    const thumb = r.locator('.thumbs img');
    await expect(thumb.getAttribute('alt')).resolves.toBe('Photo vehicles.jpg');
    await eventually(() => thumb.evaluate((img: any) => img.complete && img.naturalWidth > 0)).toBe(true);

    // The commission sees the answer on the incident's reports, and the incident is back in its queue.
    const members = (await commission.get(`/api/incidents/${answered.incidentId}/reports`)).body.items;
    expect(members[0].additions).toMatchObject([{ text: 'The coastal road west of the Sirte gate, km 12.' }]);
    expect((await commission.get(`/api/incidents/${answered.incidentId}`)).body.state).toBe('under_review');
    await expect(
      s.server.rt.db.auditEvent.count({ where: { action: 'report_addition', entityId: answered.id } }),
    ).resolves.toBe(1);
    // Resumed, not started again: one upload, taken up from the bytes the server held, now that report's evidence.
    expect(sent.filter((x) => x.startsWith('POST') && x.endsWith('/api/uploads'))).toHaveLength(1);
    const used = await s.server.rt.db.photoUpload.findUniqueOrThrow({ where: { id: upload.id } });
    expect(used).toMatchObject({ reportId: answered.id, offsetBytes: photo.length });
    expect(used.sha256).toBe(createHash('sha256').update(photo).digest('hex'));
    expect(members[0].attachments.map((a: { sha256: string }) => a.sha256)).toContain(used.sha256);
    await s.page.unroute('**/api/uploads/*');
  });

  it('says all of it in Arabic', async () => {
    await s.page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await eventually(() => s.page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    await eventually(() => item(answered.id).locator('.status').textContent()).toBe('قيد المراجعة');
    await expect(item(answered.id).locator('.additions li .hint').first().textContent()).resolves.toMatch(/^أجبت في /);
    const w = item(waiting.id);
    await expect(w.locator('.status').textContent()).resolves.toBe('مطلوب مزيد من المعلومات');
    await expect(w.locator('.info-request strong').textContent()).resolves.toMatch(/^سألت اللجنة في /);
    await expect(w.locator('.info-request p').textContent()).resolves.toBe(NOTE_AR);
    await expect(w.getByLabel('ردك').isVisible()).resolves.toBe(true);
    await s.page.screenshot({ path: await screenshotPath('mine-feedback-ar'), fullPage: true });
  });

  it('names a file the server refuses in Arabic, then sends the answer with a photo through the uploads', async () => {
    const w = item(waiting.id);
    await w.getByLabel('ردك').fill('الطريق الساحلي غرب بوابة سرت');
    // Not a photo by its content: the upload is taken, the answer citing it is refused for that file.
    await w.locator('input[type=file]').setInputFiles({
      name: 'notes.jpg',
      mimeType: 'image/jpeg',
      buffer: randomBytes(4000),
    });
    await w.getByRole('button', { name: 'إرسال' }).click();
    await eventually(() => w.locator('.add-form .note').textContent()).toMatch(/^لم يُقبل notes\.jpg: /);
    await s.page.screenshot({ path: await screenshotPath('mine-addition-refused-ar'), fullPage: true });

    const photo = await makeJpeg(8);
    await w.locator('input[type=file]').setInputFiles({ name: 'road.jpg', mimeType: 'image/jpeg', buffer: photo });
    await w.getByRole('button', { name: 'إرسال' }).click();
    await eventually(() => item(waiting.id).locator('.status').textContent()).toBe('قيد المراجعة');
    const sha = createHash('sha256').update(photo).digest('hex');
    await expect(s.server.rt.db.photoUpload.count({ where: { reportId: waiting.id, sha256: sha } })).resolves.toBe(1);
  });
});
