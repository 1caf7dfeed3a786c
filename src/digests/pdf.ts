// renderDigestPdf: the digest as an A4 PDF (pdfkit) in English or Arabic. DejaVu Sans carries the Arabic glyphs;
// word order on right-to-left lines is placed by pdf-layout.ts/bidi.ts.
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { digestTermIds, LABELS, periodText, termTitle } from './labels.ts';
import { drawTable, drawText, type Box } from './pdf-layout.ts';
import { libyaProjection, mapPoints, seriesStyle, STANCE_COLOURS } from './svg.ts';
import { digestTables } from './tables.ts';
import { digestBrief } from './brief.ts';
import type { DigestAgreement, DigestData, Lang } from './types.ts';
import { formatAnchor, type AuditAnchor } from '../audit/anchor.ts';

const require = createRequire(import.meta.url);
const FONTS = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

type Doc = InstanceType<typeof PDFDocument>;

export function renderDigestPdf(
  data: DigestData,
  agreement: DigestAgreement,
  lang: Lang,
  anchor?: AuditAnchor | null,
): Promise<Buffer> {
  const l = LABELS[lang];
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  const p = periodText(data);
  // a fixed CreationDate keeps the bytes of one digest's PDF the same on every download
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    lang,
    info: { Title: `${l.title} ${p.from} – ${p.to}`, CreationDate: new Date(data.period.to) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const frame: Box = {
    x: doc.page.margins.left,
    width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
  };
  let y = doc.page.margins.top;
  const heading = (text: string, size = 13) => {
    if (y + 60 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.font(FONTS.bold).fontSize(size).fillColor('#1b2631');
    y += drawText(doc, text, y, frame, dir) + 4;
    doc.font(FONTS.regular).fontSize(8.5);
  };

  heading(l.title, 18);
  doc.fontSize(10).fillColor('#566573');
  y += drawText(doc, agreement.title[lang], y, frame, dir);
  y +=
    drawText(
      doc,
      `${l.period}: ${p.from} – ${p.to} · ${l.previous} ${p.previousFrom} – ${p.previousTo} · ${l.timezone} ${data.period.timezone}`,
      y,
      frame,
      dir,
    ) + 8;
  doc.fillColor('#1b2631');

  heading(l.weekSummary);
  doc.fontSize(10);
  for (const line of digestBrief(data, agreement, lang)) y += drawText(doc, line, y, frame, dir) + 2;
  y += 10;

  for (const t of digestTables(data, agreement, lang)) {
    heading(t.title);
    y = t.rows.length
      ? drawTable(doc, t.head, t.rows, t.widths, y, frame, dir, FONTS) + 12
      : y + drawText(doc, l.none, y, frame, dir) + 12;
  }

  doc.addPage();
  y = doc.page.margins.top;
  heading(l.map);
  y = drawMap(doc, data, frame, y) + 6;
  doc.fontSize(8.5);
  for (const [colour, label] of [
    [STANCE_COLOURS.violation, l.violations],
    [STANCE_COLOURS.compliance, l.compliance],
    [STANCE_COLOURS.information, l.information],
  ]) {
    doc.fillColor(colour);
    y += drawText(doc, `● ${label}`, y, frame, dir);
  }
  doc.fillColor('#566573');
  y += drawText(doc, l.legendVerified, y, frame, dir) + 14;

  heading(l.trend);
  const active = digestTermIds(agreement, data).filter((id) => data.trend.terms[id]?.violations.some((v) => v > 0));
  if (active.length) {
    y =
      drawTrend(
        doc,
        data.trend.days,
        active.map((id) => data.trend.terms[id].violations),
        frame,
        y,
      ) + 6;
    doc.fontSize(8.5);
    active.forEach((id, n) => {
      const { colour, dash } = seriesStyle(n);
      doc.fillColor(colour);
      y += drawText(doc, `${dash ? '╌╌' : '━━'} ${termTitle(agreement, id, lang)}`, y, frame, dir);
    });
  } else {
    y += drawText(doc, l.none, y, frame, dir);
  }
  doc.fillColor('#566573').fontSize(7);
  y += 12 + drawText(doc, `${l.contentHash}: ${data.contentHash}`, y + 12, frame, dir);
  if (anchor) drawText(doc, `${l.auditAnchor}: ${formatAnchor(anchor)}`, y, frame, dir);
  doc.end();
  return done;
}

function drawMap(doc: Doc, data: DigestData, frame: Box, y: number): number {
  const { height, project, outlinePath } = libyaProjection(frame.width);
  doc.save().translate(frame.x, y);
  doc.rect(0, 0, frame.width, height).fill('#eaf2f8');
  doc.path(outlinePath).lineWidth(0.8).fillAndStroke('#fdfefe', '#566573');
  for (const pt of mapPoints(data)) {
    const [px, py] = project(pt.lon, pt.lat);
    const colour = STANCE_COLOURS[pt.stance ?? 'none'];
    const dot = doc.circle(px, py, 2.5 + Math.min(pt.severity, 10) * 0.25).lineWidth(1);
    if (pt.verified) dot.fillAndStroke(colour, colour);
    else dot.stroke(colour);
  }
  doc.restore();
  return y + height;
}

function drawTrend(doc: Doc, days: string[], series: number[][], frame: Box, y: number): number {
  const h = 160;
  const left = 24;
  const bottomPad = 14;
  const max = Math.max(1, ...series.flat());
  const plotW = frame.width - left - 10;
  const x = (i: number) => frame.x + left + (days.length > 1 ? (i * plotW) / (days.length - 1) : plotW / 2);
  const yy = (v: number) => y + h - bottomPad - (v * (h - bottomPad - 6)) / max;
  doc.fontSize(7).fillColor('#1b2631');
  doc
    .moveTo(frame.x + left, yy(0))
    .lineTo(frame.x + left + plotW, yy(0))
    .lineWidth(0.5)
    .stroke('#999999');
  doc.text(String(max), frame.x, yy(max) - 3, { width: left - 4, align: 'right', lineBreak: false });
  doc.text('0', frame.x, yy(0) - 3, { width: left - 4, align: 'right', lineBreak: false });
  const step = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    if (i % step === 0)
      doc.text(d.slice(5), x(i) - 15, y + h - bottomPad + 3, { width: 30, align: 'center', lineBreak: false });
  });
  series.forEach((values, n) => {
    const { colour, dash } = seriesStyle(n);
    values.forEach((v, i) => (i ? doc.lineTo(x(i), yy(v)) : doc.moveTo(x(i), yy(v))));
    const [on, off] = dash.split(' ').map(Number);
    if (on) doc.dash(on, { space: off ?? on });
    doc.lineWidth(1.5).stroke(colour);
    doc.undash();
    values.forEach((v, i) => doc.circle(x(i), yy(v), 1.8).fill(colour));
  });
  return y + h;
}
