import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';

import { compileDigest, renderDigestHtml, renderDigestPdf } from '../../../src/digests/index.ts';
import { CURRENT, FROM, PREVIOUS, TO } from '../../fixtures/digest-week.ts';
import { notableText, placeLabel } from '../../../src/digests/labels.ts';
import { digestBrief } from '../../../src/digests/brief.ts';
import { SERIES_STYLES } from '../../../src/digests/svg.ts';

const agreement = loadAgreement('libya-2020');

const data = compileDigest(CURRENT, agreement, { from: FROM, to: TO, previous: PREVIOUS });
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('digest renderers', () => {
  it('renders a standalone English page with the figures, the deadlines, a map and a trend chart', () => {
    const html = renderDigestHtml(data, agreement, 'en');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
    const t = text(html);
    expect(t).toContain('Weekly compliance digest');
    expect(t).toContain('2021-01-11 – 2021-01-17');
    expect(t).toContain('Cessation of hostilities 2 (1 / 1) 0 (0 / 0) 0 1 −1 (−33.3%) ±0');
    expect(t).toContain('Departure of mercenaries and foreign fighters 1 (0 / 1) 1 (1 / 0) 0 1 +1 (new) ±0 (±0%)');
    expect(t).toContain(
      'All mercenaries and foreign fighters leave Libya (within three months of signature) 2021-01-23 5 days left 1 1',
    );
    expect(t).toContain('Sirte 2 2 0 1');
    expect(t).toContain('Artillery shelling west of Sirte.');
    // the map: Libya's outline and one circle per located, non-rejected incident; the chart: one line per term with violations
    const map = html.slice(
      html.indexOf('<section class="figure">'),
      html.indexOf('</section>', html.indexOf('<section class="figure">')),
    );
    expect(map).toMatch(/<svg [^>]*aria-label="Map of incidents"/);
    expect(map).toMatch(/<path d="M[\d.,L]+Z"/);
    expect(map.match(/<circle /g)).toHaveLength(5);
    expect(html.match(/<polyline /g)).toHaveLength(3);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('renders the Arabic page right to left with Arabic labels and term titles', () => {
    const html = renderDigestHtml(data, agreement, 'ar');
    expect(html).toContain('<html lang="ar" dir="rtl">');
    const t = text(html);
    expect(t).toContain('الموجز الأسبوعي للامتثال');
    expect(t).toContain('وقف الأعمال العدائية 2 (1 / 1)');
    expect(t).toContain(
      'مغادرة جميع المرتزقة والمقاتلين الأجانب الأراضي الليبية (خلال ثلاثة أشهر من التوقيع) 2021-01-23 5 يوماً متبقياً',
    );
    expect(t).toContain('+1 (جديد)');
    expect(html).toContain('<svg');
  });

  it('names places and notable incidents in Arabic on the Arabic page, never in English prose', () => {
    const ar = text(renderDigestHtml(data, agreement, 'ar'));
    expect(ar).not.toContain('Artillery shelling west of Sirte.');
    expect(ar).toContain('سرت 2 2 0 1');
    expect(ar).toContain(
      'خرق: وقف الأعمال العدائية · قرب سرت · الطرف المنسوب إليه: القوات المسلحة العربية الليبية · 3 بلاغات',
    );
    expect(ar).toContain('امتثال: مغادرة المرتزقة والمقاتلين الأجانب · قرب الجفرة');
  });

  it('writes the Arabic notable line from the facts, with Arabic counting of reports', () => {
    const n = {
      id: 'x',
      terms: ['hostilities'],
      stance: 'violation' as const,
      parties: ['LAAF'],
      placeName: 'Sirte',
      firstObservedAt: '2021-01-12T08:00:00Z',
      severity: 7,
      reportCount: 3,
      summary: 'Violation: Cessation of hostilities · near Sirte',
    };
    expect(notableText(n, agreement, 'en')).toBe(n.summary);
    expect(notableText(n, agreement, 'ar')).toMatch(/^خرق: وقف الأعمال العدائية · قرب سرت · .+ · 3 بلاغات$/);
    expect(notableText({ ...n, reportCount: 1 }, agreement, 'ar')).toMatch(/ · بلاغ واحد$/);
    expect(notableText({ ...n, reportCount: 2 }, agreement, 'ar')).toMatch(/ · بلاغان$/);
    expect(notableText({ ...n, reportCount: 12 }, agreement, 'ar')).toMatch(/ · 12 بلاغاً$/);
    expect(notableText({ ...n, summary: null, parties: [] }, agreement, 'en')).toBe(
      'Violation: Cessation of hostilities · near Sirte · 3 reports',
    );
    expect(placeLabel('Sirte', 'ar')).toBe('سرت');
    expect(placeLabel('Somewhere unknown', 'ar')).toBe('Somewhere unknown');
    expect(placeLabel(null, 'en')).toBe('–');
  });

  it('opens with a written brief that counts verified and unverified apart, and names severe incidents with their state', () => {
    expect(digestBrief(data, agreement, 'en')).toEqual([
      `${data.totals.incidents} incidents from ${data.totals.reports} reports: ${data.totals.verified} verified, ${
        data.totals.incidents - data.totals.verified - data.totals.rejected
      } not yet verified, ${data.totals.rejected} rejected.`,
      expect.stringMatching(/^\d+ alleged violations? and \d+ reports? of compliance/),
      expect.stringMatching(/^Most violations concern .+ \(\d+, \d+ verified\)\.$/),
      '2 severe incidents, 1 verified: each is named below with its review state.',
    ]);
    const ar = digestBrief(data, agreement, 'ar');
    expect(ar[0]).toMatch(/^الحوادث: \d+، البلاغات: \d+؛ المؤكدة: \d+، غير المؤكدة بعد: \d+، المرفوضة: \d+\.$/);
    expect(ar[3]).toBe('الحوادث الخطيرة: 2، المؤكد منها: 1؛ كلها مذكورة أدناه مع حالة مراجعتها.');
    const en = text(renderDigestHtml(data, agreement, 'en'));
    expect(en).toContain('The period in brief');
    // The severe incident still under review is named, with its state, in both languages.
    expect(en).toMatch(/2021-01-10 Al-Jufra [^·]+ New 4 4 Violation:/);
    expect(text(renderDigestHtml(data, agreement, 'ar'))).toMatch(/2021-01-10 الجفرة [^·]+ جديدة 4 4 خرق:/);
  });

  it('draws each trend line in its own colour and dash pattern, never two alike, with a matching legend', () => {
    const html = renderDigestHtml(data, agreement, 'en');
    const lines = [
      ...html.matchAll(/<polyline [^>]*stroke="(#[0-9a-f]{6})"[^>]*?(?:stroke-dasharray="([^"]+)")?>/g),
    ].map((m) => `${m[1]}|${m[2] ?? ''}`);
    expect(lines.length).toBeGreaterThan(1);
    expect(new Set(lines.map((l) => l.split('|')[0])).size).toBe(lines.length);
    expect(new Set(lines.map((l) => l.split('|')[1])).size).toBe(lines.length);
    expect(new Set(SERIES_STYLES.map((x) => x.colour)).size).toBe(SERIES_STYLES.length);
    expect(new Set(SERIES_STYLES.map((x) => x.dash)).size).toBe(SERIES_STYLES.length);
    expect(html.match(/<ul class="legend lines">.*?<\/ul>/s)![0].match(/<line /g)).toHaveLength(lines.length);
  });

  it('shows overdue deadlines as such', () => {
    const late = compileDigest(CURRENT, agreement, { from: FROM, to: TO, now: new Date('2021-02-01T10:00:00Z') });
    expect(text(renderDigestHtml(late, agreement, 'en'))).toContain('2021-01-23 9 days overdue');
  });

  it('renders PDFs in both languages, with the Arabic font embedded', async () => {
    for (const lang of ['en', 'ar'] as const) {
      const pdf = await renderDigestPdf(data, agreement, lang);
      const raw = pdf.toString('latin1');
      expect(raw.startsWith('%PDF-')).toBe(true);
      expect(raw.trimEnd().endsWith('%%EOF')).toBe(true);
      expect(Number(/\/Type \/Pages\s*\/Count (\d+)/.exec(raw)?.[1])).toBeGreaterThanOrEqual(2);
      expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    }
    // same digest, same bytes: the PDF carries no wall-clock time
    expect((await renderDigestPdf(data, agreement, 'ar')).equals(await renderDigestPdf(data, agreement, 'ar'))).toBe(
      true,
    );
  });
});
