// Field text is data on every commission page: an observer's place name, narrative or file name carrying markup
// must show as those characters, never become elements, on the incident page, its map tooltips, the map's popups,
// the reports table and the names of saved filters. The attack this pins: an <iframe srcdoc> place name in a map
// tooltip ran script as the member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../helpers/factories.ts';
import { launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { laptopContext, openReview, signedInState } from './helpers/review-browser.ts';

const PLACE = '<img src=x onerror="window.__pwned=1"><iframe srcdoc="<script>parent.__pwned=2</script>"></iframe>';
const FILE = '<img src=y onerror="window.__pwned=3">.jpg';
const NARRATIVE =
  'Shelling near the gate <script>window.__pwned=4</script> <b onmouseover="window.__pwned=5">two rounds</b>.';

let s: TestServer;
let browser: Browser;
let member: TestUser;
let incidentId: string;
let storedFileName: string;
let memberState: Awaited<ReturnType<typeof signedInState>>;

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ workers: true });
  member = await s.makeUser('commission');
  const observer = await s.makeUser('observer');
  const photo = await makeJpeg(7, { exif: { takenAt: '2020:11:14 09:00:00', lat: 31.25, lon: 16.6 } });
  const fields = makeReport({
    narrative: NARRATIVE,
    placeName: PLACE,
    lat: 31.2,
    lon: 16.58,
    observedAt: '2020-11-14T09:00:00+02:00',
  });
  const filed = await bearer(s.url, observer.token).form(
    '/api/reports',
    reportForm(fields, [{ data: photo, name: FILE }]),
  );
  expect(filed.status).toBe(201);
  storedFileName = filed.body.attachments[0].originalName; // markup characters are already replaced at intake
  for (let i = 0; i < 300; i++) {
    const r = await s.rt.db.report.findUniqueOrThrow({ where: { id: filed.body.id } });
    if (r.incidentId) {
      incidentId = r.incidentId;
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(incidentId).toBeTruthy();
  browser = await launchBrowser();
  memberState = await signedInState(browser, s.url, member);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/**
 * Runs in the page before its own scripts: records every element a payload would make, at the moment it is made.
 * Field text turned into markup shows here whether the element is put in the page (and maybe replaced a moment
 * later) or only parsed into a detached node, whose image would still load and run its handler. So no wait for an
 * onerror to fire: what the assertion needs is that no such element was ever made.
 */
function recordPayloadElements(): void {
  const w = globalThis as any;
  const made: string[] = (w.__payloadElements = []);
  const seen = new WeakSet();
  // What would run: a handler attribute, an iframe's document, a script. The payload's text in a title or label is
  // just text.
  const runs = (el: any) =>
    [...el.attributes].some((a: any) => /^on/i.test(a.name) && a.value.includes('__pwned')) ||
    (el.localName === 'iframe' && (el.getAttribute('srcdoc') ?? '').includes('__pwned')) ||
    (el.localName === 'script' && (el.textContent ?? '').includes('__pwned'));
  const find = (node: any) => {
    if (!node || typeof node.querySelectorAll !== 'function') return;
    for (const el of [...(node.nodeType === 1 ? [node] : []), ...node.querySelectorAll('*')]) {
      if (seen.has(el) || !runs(el)) continue;
      seen.add(el);
      made.push(el.outerHTML);
    }
  };
  new w.MutationObserver((records: any[]) => {
    for (const r of records) for (const n of r.addedNodes) find(n);
  }).observe(w.document, { childList: true, subtree: true });
  // Markup parsed into a node that is not (yet) in the page: Leaflet fills a tooltip before adding it.
  for (const [proto, name] of [
    [w.Element.prototype, 'innerHTML'],
    [w.Element.prototype, 'outerHTML'],
    [w.ShadowRoot.prototype, 'innerHTML'],
  ]) {
    const d = Object.getOwnPropertyDescriptor(proto, name)!;
    Object.defineProperty(proto, name, {
      ...d,
      set(this: any, v: string) {
        const parent = name === 'outerHTML' ? this.parentNode : this;
        d.set!.call(this, v);
        find(parent);
      },
    });
  }
  const adjacent = w.Element.prototype.insertAdjacentHTML;
  w.Element.prototype.insertAdjacentHTML = function (this: any, where: string, html: string) {
    adjacent.call(this, where, html);
    find(this.parentNode ?? this);
  };
  const fragment = w.Range.prototype.createContextualFragment;
  w.Range.prototype.createContextualFragment = function (this: any, html: string) {
    const f = fragment.call(this, html);
    find(f);
    return f;
  };
}

async function signedIn(hash: string): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const context = await laptopContext(browser, { storageState: memberState });
  await context.addInitScript(recordPayloadElements);
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await openReview(page, s.url, hash);
  return { page, errors, dialogs };
}

/** No payload ever became an element, anywhere in the page or out of it, so none could run; none did. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (globalThis as any).__payloadElements)).toEqual([]);
  expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
  expect(await page.locator('iframe[srcdoc], img[src="x"], img[src="y"], b[onmouseover]').count()).toBe(0);
}

describe('field text on the commission pages', () => {
  it('would see a payload made into an element, even detached or at once replaced (the check can fail)', async () => {
    const { page } = await signedIn('#queue');
    await page.evaluate((markup) => {
      const d = (globalThis as any).document;
      d.createElement('div').innerHTML = markup;
      const shown = d.createElement('p');
      d.body.append(shown);
      shown.insertAdjacentHTML('afterbegin', '<b onmouseover="window.__pwned=5">x</b>');
      shown.remove();
    }, PLACE);
    await expect(page.evaluate(() => (globalThis as any).__payloadElements.length)).resolves.toBe(3);
    await page.context().close();
  });

  it('shows place, narrative and file name as text on the incident page and in its map tooltips', async () => {
    const { page, errors } = await signedIn(`#incident/${incidentId}`);
    await page.locator('#incident-body').getByText('two rounds', { exact: false }).first().waitFor();
    await page.locator('#incident-map-small .leaflet-interactive').first().waitFor();
    // Hover every marker (the report's own position and its photo's EXIF position): their tooltips open.
    const markers = page.locator('#incident-map-small path.leaflet-interactive');
    const tips: string[] = [];
    for (let i = 0; i < (await markers.count()); i++) {
      await markers.nth(i).dispatchEvent('mouseover');
      // Town labels are permanent tooltips of their own; the marker's is the one that is not.
      tips.push(...(await page.locator('#incident-map-small .leaflet-tooltip:not(.town)').allTextContents()));
    }
    expect(tips.some((x) => x.includes(PLACE))).toBe(true);
    expect(tips.some((x) => x.includes(storedFileName))).toBe(true);
    await expectInert(page);
    await page.screenshot({ path: await screenshotPath('review-xss-incident') });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps map popups inert', async () => {
    const { page, errors } = await signedIn('#map');
    const marker = page.locator('#incident-map path.leaflet-interactive').first();
    await marker.waitFor();
    await page.locator('#map-message', { hasText: '1 incident' }).waitFor();
    await marker.dispatchEvent('click');
    await page.locator('.leaflet-popup').waitFor();
    await expectInert(page);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps the reports table and saved filter names inert', async () => {
    const name = '<img src=x onerror="window.__pwned=6">';
    const saved = await bearer(s.url, member.token).post('/api/saved-filters', { view: 'reports', name, query: {} });
    expect(saved.status).toBe(201);
    const { page, errors } = await signedIn('#reports');
    await page.locator('#reports-table[aria-busy="false"] #reports-rows tr').first().waitFor();
    await expect(page.locator('#reports-rows').textContent()).resolves.toContain(PLACE);
    await page.locator('#reports-saved .saved-apply').waitFor();
    await expect(page.locator('#reports-saved .saved-apply').textContent()).resolves.toBe(name);
    await expectInert(page);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
