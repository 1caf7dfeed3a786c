// The SMS report syntax: English and Arabic keywords, places and coordinates in their variants (Arabic-Indic digits,
// the Arabic decimal point and comma, hemispheres, degrees-minutes-seconds), parties by code or word, and the
// problems a malformed text is kept with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSmsReport, type SmsParse } from '../../../src/sms/syntax.ts';

const ok = (text: string) => {
  const r = parseSmsReport(text);
  if (!r.ok) throw new Error(`${text}: ${r.problem}`);
  return r.report;
};
const problem = (text: string) => (parseSmsReport(text) as Extract<SmsParse, { ok: false }>).problem;

describe('English', () => {
  it('reads a place, a party and the text as typed', () => {
    expect(ok('R Sirte LAAF 12 rounds of artillery hit GNA positions at 0540')).toEqual({
      language: 'en',
      placeName: 'Sirte',
      partyAlleged: 'LAAF',
      narrative: '12 rounds of artillery hit GNA positions at 0540',
    });
  });

  it('takes every word up to the party as the place, in any case, with commas or a colon', () => {
    expect(ok('report Abu Grein gna Convoy of 5 technicals heading east')).toMatchObject({
      placeName: 'Abu Grein',
      partyAlleged: 'GNA',
      narrative: 'Convoy of 5 technicals heading east',
    });
    expect(ok('R: Bin Jawad, LNA, shelling near the port.')).toMatchObject({
      placeName: 'Bin Jawad',
      partyAlleged: 'LAAF',
      narrative: 'shelling near the port.',
    });
    expect(ok('rpt Al-Jufra Wagner fighters seen at the air base')).toMatchObject({
      placeName: 'Al-Jufra',
      partyAlleged: 'foreign',
    });
  });

  it('knows the party codes of a satellite phone keyboard', () => {
    for (const [code, party] of [
      ['L', 'LAAF'],
      ['G', 'GNA'],
      ['F', 'foreign'],
      ['U', 'unknown'],
      ['X', 'unknown'],
      ['?', 'unknown'],
      ['merc', 'foreign'],
      ['unknown', 'unknown'],
    ] as const)
      expect(ok(`R Sirte ${code} gunfire heard`).partyAlleged, code).toBe(party);
  });

  it('takes a quoted place that holds a party word', () => {
    expect(ok('R "Gate L checkpoint" GNA checkpoint reopened')).toMatchObject({
      placeName: 'Gate L checkpoint',
      partyAlleged: 'GNA',
      narrative: 'checkpoint reopened',
    });
  });
});

describe('coordinates', () => {
  const at = (text: string) => {
    const r = ok(text);
    return [r.lat, r.lon, r.placeName, r.partyAlleged, r.narrative];
  };
  it('reads decimal degrees with any separator', () => {
    for (const pos of ['31.205,16.588', '31.205, 16.588', '31.205 16.588', '31.205;16.588', '31.205/16.588'])
      expect(at(`R ${pos} LAAF shelling`), pos).toEqual([31.205, 16.588, undefined, 'LAAF', 'shelling']);
  });

  it('reads hemispheres, degree signs and minus signs', () => {
    expect(at('R N31.205 E16.588 GNA drone overhead')).toEqual([31.205, 16.588, undefined, 'GNA', 'drone overhead']);
    expect(at('R 31.205°N, 16.588°E GNA drone overhead')).toEqual([31.205, 16.588, undefined, 'GNA', 'drone overhead']);
    expect(at('R 31.205n 16.588e G drone')).toEqual([31.205, 16.588, undefined, 'GNA', 'drone']);
    expect(at('R 12.5S 13.25W U flare')).toEqual([-12.5, -13.25, undefined, 'unknown', 'flare']);
    expect(at('R -12.5,-13.25 U flare')).toEqual([-12.5, -13.25, undefined, 'unknown', 'flare']);
  });

  it('reads degrees, minutes and seconds', () => {
    expect(at(`R 31°12'18"N 16°35'17"E LAAF shelling`)).toEqual([31.205, 16.588056, undefined, 'LAAF', 'shelling']);
    expect(at(`R 31°12.3'N, 16°35.28'E LAAF shelling`)).toEqual([31.205, 16.588, undefined, 'LAAF', 'shelling']);
  });

  it('refuses coordinates out of range or half given, instead of taking them for a place', () => {
    expect(problem('R 95.1,16.5 LAAF shelling')).toBe('bad_coordinates');
    expect(problem('R 31.2,190.5 LAAF shelling')).toBe('bad_coordinates');
    expect(problem('R 31.2 LAAF shelling')).toBe('bad_coordinates');
    expect(problem(`R 31°75'N 16°35'E LAAF shelling`)).toBe('bad_coordinates');
    expect(problem('R -31.2S 16.5E LAAF shelling')).toBe('bad_coordinates');
  });
});

describe('Arabic', () => {
  it('reads the keyword ب or بلاغ, a place and a party word, and keeps the text as written', () => {
    expect(ok('ب سرت الجيش قصف مدفعي على مواقع الوفاق فجر اليوم')).toEqual({
      language: 'ar',
      placeName: 'سرت',
      partyAlleged: 'LAAF',
      narrative: 'قصف مدفعي على مواقع الوفاق فجر اليوم',
    });
    expect(ok('بلاغ أبو قرين قوات الوفاق تحرك رتل من ٥ سيارات')).toMatchObject({
      placeName: 'أبو قرين',
      partyAlleged: 'GNA',
      narrative: 'تحرك رتل من ٥ سيارات',
    });
    expect(ok('بلاغ: الجفرة، مرتزقة، طائرة شحن هبطت في القاعدة')).toMatchObject({
      placeName: 'الجفرة',
      partyAlleged: 'foreign',
      narrative: 'طائرة شحن هبطت في القاعدة',
    });
  });

  it('folds letter variants and diacritics in party words, and reads two-word parties', () => {
    expect(ok('ب سرت أجنبي رصد مقاتلين').partyAlleged).toBe('foreign');
    expect(ok('ب سرت المرتزقـة رصد مقاتلين').partyAlleged).toBe('foreign');
    expect(ok('ب سرت غير معروف إطلاق نار')).toMatchObject({
      partyAlleged: 'unknown',
      narrative: 'إطلاق نار',
    });
    expect(ok('ب سرت مجهول إطلاق نار').partyAlleged).toBe('unknown');
    expect(ok('ب سرت حفتر إطلاق نار').partyAlleged).toBe('LAAF');
  });

  it('reads coordinates in Arabic-Indic digits with the Arabic decimal point and comma', () => {
    expect(ok('ب ٣١٫٢٠٥،١٦٫٥٨٨ الوفاق اشتباكات متقطعة')).toMatchObject({
      lat: 31.205,
      lon: 16.588,
      partyAlleged: 'GNA',
      narrative: 'اشتباكات متقطعة',
    });
    expect(ok('ب ٣١٫٢٠٥ ، ١٦٫٥٨٨ الجيش قصف')).toMatchObject({ lat: 31.205, lon: 16.588 });
    expect(ok('بلاغ ۳۱.۲۰۵,۱۶.۵۸۸ مجهول انفجار')).toMatchObject({ lat: 31.205, lon: 16.588, partyAlleged: 'unknown' });
    expect(ok('R ٣١٫٢٠٥,١٦٫٥٨٨ LAAF shelling')).toMatchObject({ language: 'en', lat: 31.205, lon: 16.588 });
  });
});

describe('malformed texts', () => {
  it('names what is missing, in the language of the message', () => {
    expect(parseSmsReport('Sirte LAAF shelling')).toEqual({ ok: false, problem: 'no_keyword', language: 'en' });
    expect(parseSmsReport('سرت الجيش قصف')).toEqual({ ok: false, problem: 'no_keyword', language: 'ar' });
    expect(problem('R')).toBe('no_location');
    expect(problem('R LAAF shelling')).toBe('no_location');
    expect(problem('R Sirte shelling near the port')).toBe('no_party');
    expect(problem('R 31.2,16.5 shelling')).toBe('no_party');
    expect(problem('R Sirte LAAF')).toBe('no_text');
    expect(problem('R Sirte LAAF  ,. ')).toBe('no_text');
    expect(problem('R "" LAAF shelling')).toBe('no_location');
    expect(problem('ب سرت قصف')).toBe('no_party');
    expect(problem('')).toBe('no_keyword');
  });

  it('does not take a word that merely starts with the keyword for it', () => {
    expect(problem('Rapid convoy LAAF near Sirte')).toBe('no_keyword');
    expect(problem('بسرت الجيش قصف')).toBe('no_keyword');
  });
});

describe('the documented examples', () => {
  it('reads every example of docs/integrations-contract.md as the table says', () => {
    const doc = readFileSync(new URL('../../../docs/integrations-contract.md', import.meta.url), 'utf8');
    const rows = doc
      .slice(doc.indexOf('| text | placeName |'))
      .split('\n')
      .slice(2)
      .filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      const [text, placeName, lat, lon, party, narrative] = row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      const r = ok(text!.slice(1, -1));
      expect(r, text).toEqual({
        language: /^[بب]/.test(text!.slice(1)) ? 'ar' : 'en',
        ...(placeName ? { placeName } : {}),
        ...(lat ? { lat: Number(lat), lon: Number(lon) } : {}),
        partyAlleged: party,
        narrative,
      });
    }
  });
});
