// Text and table drawing for the PDF with explicit word placement (see bidi.ts), so Arabic pages read right to left.
import type PDFDocument from 'pdfkit';
import { isRtlText, visualOrder, type Direction } from './bidi.ts';

type Doc = InstanceType<typeof PDFDocument>;
export interface Box {
  x: number;
  width: number;
}

function wrap(doc: Doc, text: string, width: number): string[][] {
  const space = doc.widthOfString(' ');
  const lines: string[][] = [];
  let line: string[] = [];
  let used = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const w = doc.widthOfString(word);
    if (line.length && used + space + w > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    used += (line.length ? space : 0) + w;
    line.push(word);
  }
  if (line.length || !lines.length) lines.push(line);
  return lines;
}

/** Draws wrapped text in the box, aligned to the page direction; returns the height used. */
export function drawText(doc: Doc, text: string, y: number, box: Box, pageDir: Direction): number {
  const dir: Direction = isRtlText(text) ? 'rtl' : 'ltr';
  const space = doc.widthOfString(' ');
  const lineHeight = doc.currentLineHeight(true);
  const lines = wrap(doc, text, box.width);
  lines.forEach((line, n) => {
    const words = visualOrder(line, dir);
    const widths = words.map((w) => doc.widthOfString(w));
    const total = widths.reduce((a, b) => a + b, 0) + space * Math.max(words.length - 1, 0);
    let x = pageDir === 'rtl' ? box.x + box.width - total : box.x;
    words.forEach((word, i) => {
      doc.text(word, x, y + n * lineHeight, { lineBreak: false });
      x += widths[i] + space;
    });
  });
  return lines.length * lineHeight;
}

export function measureText(doc: Doc, text: string, width: number): number {
  return wrap(doc, text, width).length * doc.currentLineHeight(true);
}

/** A page-breaking table; columns run right to left on an Arabic page. Returns the y below it. */
export function drawTable(
  doc: Doc,
  head: string[],
  rows: string[][],
  widths: number[],
  y: number,
  frame: Box,
  pageDir: Direction,
  fonts: { regular: string; bold: string },
): number {
  const pad = 3;
  const total = widths.reduce((a, b) => a + b, 0);
  const cols: Box[] = [];
  let at = 0;
  for (const w of widths) {
    const width = (w / total) * frame.width;
    cols.push({ x: pageDir === 'rtl' ? frame.x + frame.width - at - width : frame.x + at, width });
    at += width;
  }
  const bottom = doc.page.height - doc.page.margins.bottom;
  const drawRow = (cells: string[], font: string, fill?: string) => {
    doc.font(font);
    const h = Math.max(...cells.map((c, i) => measureText(doc, c, cols[i].width - 2 * pad))) + 2 * pad;
    if (y + h > bottom) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    cells.forEach((c, i) => {
      if (fill) doc.rect(cols[i].x, y, cols[i].width, h).fill(fill).fillColor('#1b2631');
      doc.rect(cols[i].x, y, cols[i].width, h).lineWidth(0.5).stroke('#b3b6b7');
      drawText(doc, c, y + pad, { x: cols[i].x + pad, width: cols[i].width - 2 * pad }, pageDir);
    });
    y += h;
  };
  drawRow(head, fonts.bold, '#f2f4f4');
  for (const r of rows) drawRow(r, fonts.regular);
  return y;
}
