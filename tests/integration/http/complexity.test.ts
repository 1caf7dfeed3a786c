// Abuse suite, complexity class: every parser and per-request algorithm that reads client input is linear in it.
// Each case runs one input at two sizes 10x apart and bounds the cost ratio (tests/helpers/complexity.ts).
// Found this way: 40,000 empty elements in an OpenRosa submission blocked the event loop for 9 s (a list copied
// per element); 150,000 took 143 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { growth, LINEAR_BOUND } from '../../helpers/complexity.ts';
import { collectValues, parseSubmission } from '../../../src/openrosa/submission.ts';
import type { XmlElement } from '../../../src/openrosa/xml.ts';
import { readXml, MAX_ELEMENTS } from '../../../src/openrosa/xml.ts';
import { classifyReport } from '../../../src/classify/classifier.ts';
import { loadAgreement, DEFAULT_AGREEMENT_ID } from '../../../src/agreements/index.ts';
import { parseReportInput } from '../../../src/reports/validate.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';

const ID = 'uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const submission = (inner: string) =>
  `<?xml version="1.0"?><data id="ceasefire_report"><narrative>x</narrative>${inner}<meta><instanceID>${ID}</instanceID></meta></data>`;
const tryParse = (xml: string) => {
  try {
    parseSubmission(xml);
  } catch {
    /* refusals are answers too */
  }
};

describe('parsers are linear in their input', () => {
  it('OpenRosa XML: many repeated empty elements', async () => {
    expect(await growth((n) => tryParse(submission('<a/>'.repeat(n))), 400, 4_000)).toBeLessThan(LINEAR_BOUND);
  });
  it('OpenRosa fields: values gathered from a parsed tree of many same-named elements', async () => {
    // Past the parser's element cap too: the walk itself must not depend on the cap to stay fast.
    const tree = (n: number): XmlElement => ({
      name: 'data',
      attributes: {},
      text: '',
      children: Array.from({ length: n }, () => ({ name: 'a', attributes: {}, text: '', children: [] })),
    });
    const small = tree(5_000);
    const large = tree(50_000);
    expect(await growth((n) => collectValues(n === 5_000 ? small : large), 5_000, 50_000)).toBeLessThan(LINEAR_BOUND);
  });
  it('OpenRosa XML: many distinct elements, nested groups', async () => {
    const doc = (n: number) =>
      submission(Array.from({ length: n / 4 }, (_, i) => `<g${i % 50}><f${i}>v</f${i}><h>1</h></g${i % 50}>`).join(''));
    expect(await growth((n) => tryParse(doc(n)), 400, 4_000)).toBeLessThan(LINEAR_BOUND);
  });
  it('OpenRosa XML: long text, many entities and attributes', async () => {
    expect(
      await growth((n) => tryParse(submission(`<narrative>${'&amp;&#1575;x'.repeat(n)}</narrative>`)), 2_000, 20_000),
    ).toBeLessThan(LINEAR_BOUND);
    expect(
      await growth(
        (n) => tryParse(submission(`<a ${Array.from({ length: n }, (_, i) => `k${i}="v"`).join(' ')}/>`)),
        200,
        2_000,
      ),
    ).toBeLessThan(LINEAR_BOUND);
  });
  it('OpenRosa XML: a document with more elements than any form has is refused before parsing', () => {
    expect(() => readXml(submission('<a/>'.repeat(MAX_ELEMENTS + 1)))).toThrow(/more than 5000 elements/);
  });
  it('report JSON: validation of a long narrative full of escapes and RTL marks', async () => {
    const raw = (n: number) => makeReport({ narrative: '\u202e"\\\u0000'.replace('\u0000', ' ').repeat(n) });
    expect(
      await growth(
        (n) => {
          try {
            parseReportInput(raw(n), 1_000_000);
          } catch {
            /* */
          }
        },
        1_000,
        10_000,
      ),
    ).toBeLessThan(LINEAR_BOUND);
  });
  it('classification of a long narrative (what a worker runs per report)', async () => {
    const agreement = loadAgreement(DEFAULT_AGREEMENT_ID);
    const text = (n: number) => 'Shelling near Sirte, 3 Grad rockets, no casualties; قصف على سرت. '.repeat(n);
    expect(
      await growth(
        (n) => classifyReport({ narrative: text(n), placeName: 'Sirte', partyAlleged: null }, agreement),
        20,
        200,
      ),
    ).toBeLessThan(LINEAR_BOUND);
  });
});

describe('requests are linear in their input', () => {
  let s: TestServer;
  let member: TestUser;
  let observer: TestUser;
  beforeAll(async () => {
    s = await startTestServer();
    member = await s.makeUser('commission');
    observer = await s.makeUser('observer');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('queue filters: long place text full of LIKE wildcards and a long state list', async () => {
    const api = bearer(s.url, member.token);
    const q = (n: number) =>
      `/api/incidents?place=${encodeURIComponent('%_'.repeat(Math.min(n, 100)))}&state=${Array(n).fill('new').join(',')}`;
    expect(
      await growth(
        async (n) => {
          for (let i = 0; i < 5; i++) expect((await api.get(q(n))).status).toBeLessThan(500);
        },
        100,
        1_000,
      ),
    ).toBeLessThan(LINEAR_BOUND);
  });
  it('multipart: a body of many small fields and a field of many boundary-like lines', async () => {
    const api = bearer(s.url, observer.token);
    const form = (n: number) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(makeReport({ narrative: '\r\n--x\r\n'.repeat(n) })))
        f.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      return f;
    };
    expect(
      await growth(
        async (n) => {
          expect((await api.form('/api/reports', form(n))).status).toBeLessThan(500);
        },
        500,
        5_000,
      ),
    ).toBeLessThan(LINEAR_BOUND);
  });
});
