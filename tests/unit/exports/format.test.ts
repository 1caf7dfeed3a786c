// CSV exports open in spreadsheets: field text that starts like a formula must arrive as text.
import { describe, expect, it } from 'vitest';
import { csvCells, csvText } from '../../../src/exports/format.ts';

describe('CSV cells', () => {
  it.each(['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'prefixes %j with an apostrophe',
    (v) => {
      expect(csvText(v)).toBe(`'${v}`);
    },
  );
  it('leaves ordinary text, Arabic and numbers alone', () => {
    expect(csvText('Shelling near Sirte')).toBe('Shelling near Sirte');
    expect(csvText('قصف قرب سرت')).toBe('قصف قرب سرت');
    const cells = csvCells({
      lat: -1,
      lon: 2,
      properties: { narrative: '=cmd|x', lat: -12.5, terms: ['=a', 'b'], corrected: false },
    });
    expect(cells).toEqual({ narrative: "'=cmd|x", lat: -12.5, terms: "'=a;b", corrected: false });
  });
});
