// renderDigestHtml: one standalone page (inline CSS and SVG, nothing fetched), English or Arabic (right-to-left).
import { digestTermIds, LABELS, periodText, termTitle } from './labels.ts';
import { MAP_POINT_LIMIT, mapSvg, seriesStyle, STANCE_COLOURS, trendSvg } from './svg.ts';
import { digestTables } from './tables.ts';
import { digestBrief } from './brief.ts';
import type { DigestAgreement, DigestData, Lang } from './types.ts';
import { formatAnchor, type AuditAnchor } from '../audit/anchor.ts';

const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Cells are bidi-isolated so an English place name or summary keeps its punctuation in an Arabic table;
// figures and dates never wrap mid-number.
const FIGURE = /^[\d\s()/:+\-−±.%–]+$/;
const cell = (c: string | number) => `<bdi${FIGURE.test(String(c)) ? ' class="fig"' : ''}>${esc(c)}</bdi>`;
const row = (cells: Array<string | number>, tag = 'td') =>
  `<tr>${cells.map((c) => `<${tag}>${cell(c)}</${tag}>`).join('')}</tr>`;
const table = (head: string[], rows: Array<Array<string | number>>, empty: string) =>
  rows.length
    ? `<table><thead>${row(head, 'th')}</thead><tbody>${rows.map((r) => row(r)).join('')}</tbody></table>`
    : `<p class="empty">${esc(empty)}</p>`;

/** `anchor`: the audit row of this digest's creation, printed so a copy kept outside can check the log later. */
export function renderDigestHtml(
  data: DigestData,
  agreement: DigestAgreement,
  lang: Lang,
  anchor?: AuditAnchor | null,
): string {
  const l = LABELS[lang];
  const p = periodText(data);
  const termIds = digestTermIds(agreement, data);
  const active = termIds.filter((id) => data.trend.terms[id]?.violations.some((v) => v > 0));
  // A sample of each line (its colour and dash) beside the term it stands for.
  const lineLegend = (items: Array<[{ colour: string; dash: string }, string]>) =>
    `<ul class="legend lines">${items
      .map(
        ([st, text]) =>
          `<li><svg width="28" height="8" aria-hidden="true"><line x1="0" y1="4" x2="28" y2="4" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/></svg> ${esc(text)}</li>`,
      )
      .join('')}</ul>`;
  const legend = (items: Array<[string, string]>) =>
    `<ul class="legend">${items.map(([c, t]) => `<li><span style="background:${c}"></span>${esc(t)}</li>`).join('')}</ul>`;

  const sections = [
    `<header><h1>${esc(l.title)}</h1><p class="agreement">${esc(agreement.title[lang])}</p>` +
      `<p>${esc(l.period)}: <bdi>${p.from} – ${p.to}</bdi> · ${esc(l.previous)} <bdi>${p.previousFrom} – ${p.previousTo}</bdi> · ${esc(l.timezone)} ${esc(data.period.timezone)}</p></header>`,
    `<section id="brief"><h2>${esc(l.weekSummary)}</h2>${digestBrief(data, agreement, lang)
      .map((x) => `<p>${esc(x)}</p>`)
      .join('')}</section>`,
    ...digestTables(data, agreement, lang).map(
      (t) => `<section id="${t.id}"><h2>${esc(t.title)}</h2>${table(t.head, t.rows, l.none)}</section>`,
    ),
    `<section class="figure"><h2>${esc(l.map)}</h2>${mapSvg(data, lang, l.map)}` +
      legend([
        [STANCE_COLOURS.violation, l.violations],
        [STANCE_COLOURS.compliance, l.compliance],
        [STANCE_COLOURS.information, l.information],
      ]) +
      `<p class="note">${esc(l.legendVerified)}${data.points.length > MAP_POINT_LIMIT ? ` · ${MAP_POINT_LIMIT} ${esc(l.shownOf)} ${data.points.length}` : ''}</p></section>`,
    `<section class="figure"><h2>${esc(l.trend)}</h2>` +
      (active.length
        ? trendSvg(
            data.trend.days,
            active.map((id) => ({ label: termTitle(agreement, id, lang), values: data.trend.terms[id].violations })),
            l.trend,
          ) + lineLegend(active.map((id, n) => [seriesStyle(n), termTitle(agreement, id, lang)]))
        : `<p class="empty">${esc(l.none)}</p>`) +
      `</section>`,
    `<footer>${esc(l.contentHash)}: <code>${data.contentHash}</code>` +
      (anchor ? `<br>${esc(l.auditAnchor)}: <code>${esc(formatAnchor(anchor))}</code>` : '') +
      `</footer>`,
  ];
  return `<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(l.title)} ${p.from} – ${p.to}</title>
<style>body{font-family:"DejaVu Sans",Arial,"Noto Naskh Arabic",sans-serif;margin:2rem auto;max-width:60rem;color:#1b2631;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d5d8dc;padding-bottom:.2rem;margin-top:2rem}.agreement{color:#566573;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d5d8dc;padding:.3rem .5rem;text-align:start;vertical-align:top}
th{background:#f2f4f4}.empty,.note{color:#566573;font-size:.9rem}svg{max-width:100%;height:auto;display:block}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem;font-size:.85rem}.legend span{display:inline-block;width:.8rem;height:.8rem;margin-inline-end:.3rem;border-radius:50%}
bdi.fig{white-space:nowrap}footer{margin-top:2rem;font-size:.8rem;color:#566573}code{direction:ltr;unicode-bidi:embed}
@media print{body{margin:0}section{break-inside:avoid}}</style></head>
<body>${sections.join('\n')}</body></html>
`;
}
