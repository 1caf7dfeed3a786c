// Custody packages end to end: reports with photos go through the real intake and workers, the commission downloads
// the incident's package, and the offline verifier (the module and the npm script) accepts it; a changed byte in a
// file, in the manifest or in the signature is caught and named. Downloads are audited and the chain still verifies.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { verifyAuditChain } from '../../../src/audit/index.ts';
import { verifyCustodyPackage, type CustodyManifest, type CustodySignature } from '../../../src/custody/index.ts';
import { bearer } from '../../helpers/http.ts';
import { collectSubmission, makeJpeg, makeReport, PDF_BYTES, reportForm } from '../../helpers/factories.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let admin: TestUser;
let dir: string;
let incidentId: string;
let reportId: string;
let photo: Buffer;
let second: Buffer;

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

async function download(user: TestUser, id = incidentId) {
  const r = await fetch(`${s.url}/api/incidents/${id}/custody`, { headers: { authorization: `Bearer ${user.token}` } });
  const body = Buffer.from(await r.arrayBuffer());
  const file = path.join(dir, `${user.username}-${Date.now()}.zip`);
  if (r.status === 200) await writeFile(file, body);
  return { r, body, file };
}

/** The npm script as an investigator runs it. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/custody-verify.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'custody-'));
  [observer, member, admin] = await Promise.all([
    s.makeUser('observer'),
    s.makeUser('commission'),
    s.makeUser('admin'),
  ]);
  photo = await makeJpeg(11, { exif: { takenAt: '2020:11:14 05:38:00', lat: 31.2, lon: 16.59 } });
  second = await makeJpeg(12);
  const input = makeReport({ casualties: { injured: 3 } });
  const api = bearer(s.url, observer.token);
  const first = await api.form('/api/reports', reportForm(input, [{ data: photo, name: 'IMG_0001.jpg' }]));
  expect(first.status).toBe(201);
  reportId = first.body.id;
  // The same report again with more evidence: an evidence_added row, written by the observer.
  const more = await api.form(
    '/api/reports',
    reportForm(input, [
      { data: photo, name: 'IMG_0001.jpg' },
      { data: second, name: 'IMG_0002.jpg' },
      { data: PDF_BYTES, name: 'statement.pdf' },
    ]),
  );
  expect(more.status).toBe(200);
  incidentId = await waitFor(async () => {
    const r = await s.rt.db.report.findUnique({ where: { id: reportId } });
    return r?.status === 'processed' ? r.incidentId : null;
  }, 'the report processed');
  await bearer(s.url, member.token).post(`/api/incidents/${incidentId}/comments`, { body: 'Photos checked.' });
});
afterAll(async () => {
  await s?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GET /api/incidents/:id/custody', () => {
  let pkg: Awaited<ReturnType<typeof download>>;
  let entries: Map<string, Buffer>;
  let manifest: CustodyManifest;

  it('is a zip of the original files byte for byte, a manifest and its signature', async () => {
    pkg = await download(member);
    expect(pkg.r.status).toBe(200);
    expect(pkg.r.headers.get('content-type')).toBe('application/zip');
    expect(pkg.r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="custody-[0-9a-f-]{36}-\d{8}-\d{4}\.zip"$/,
    );
    entries = await unzip(pkg.file);
    manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    const files = manifest.reports.flatMap((r) => r.files);
    expect(files.map((f) => f.mime).sort()).toEqual(['application/pdf', 'image/jpeg', 'image/jpeg']);
    for (const original of [photo, second, PDF_BYTES]) {
      const f = files.find((x) => x.sizeBytes === original.length)!;
      expect(entries.get(f.path!)!.equals(original)).toBe(true);
    }
    expect([...entries.keys()].sort()).toEqual(
      ['manifest.json', 'signature.json', ...files.map((f) => f.path!)].sort(),
    );
  });

  it('says when each file was received, its EXIF, and pseudonymises the observer for the commission', async () => {
    const report = manifest.reports.find((r) => r.id === reportId)!;
    expect(report.observer).toEqual({ pseudonym: expect.stringMatching(/^observer-[0-9a-f]{16}$/) });
    expect(pkg.body.includes(Buffer.from(observer.username))).toBe(false);
    expect(report.receivedAt).toMatch(/^20\d\d-/);
    const jpg = report.files.find((f) => f.sizeBytes === photo.length)!;
    expect(jpg.exif.takenAt).toMatch(/^2020-11-14T/);
    expect(jpg.exif.lat).toBeCloseTo(31.2, 3);
    expect(jpg.exif.tags).toMatchObject({ DateTimeOriginal: '2020:11:14 05:38:00' });
    expect(report.narrative).toContain('technicals');
  });

  it('holds every audit row touching the incident, with its chain position, and the anchor', async () => {
    const actions = manifest.audit.rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['evidence_added', 'comment_added']));
    for (const row of manifest.audit.rows)
      expect(row).toMatchObject({ seq: expect.stringMatching(/^\d+$/), hash: expect.any(String) });
    // The observer's own row names them: pseudonymised, and marked so the verifier knows it cannot rehash it.
    const evidence = manifest.audit.rows.find((r) => r.action === 'evidence_added')!;
    expect(evidence.actorName).toBe((manifest.reports[0]!.observer as { pseudonym: string }).pseudonym);
    expect(evidence.redacted).toEqual(['actorId', 'actorName']);
    expect(manifest.audit.anchor).toMatchObject({
      seq: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('verifies offline, with the module and with npm run custody:verify', async () => {
    const r = await verifyCustodyPackage(pkg.file);
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({
      ok: true,
      incidentId,
      reports: 1,
      files: 3,
      fingerprint: s.rt.custodySigner.fingerprint,
    });
    const out = cli(pkg.file);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/custody package verified/);
    expect(out.stdout).toContain(s.rt.custodySigner.fingerprint);
  });

  it('audits every download with the hash of the manifest it served; the chain still verifies', async () => {
    const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'custody_downloaded', entityId: incidentId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorName: member.username, entityType: 'incident' });
    expect((rows[0]!.after as { manifestSha256: string }).manifestSha256).toBe(pkg.r.headers.get('x-manifest-sha256'));
    const sig: CustodySignature = JSON.parse(entries.get('signature.json')!.toString());
    expect(sig.manifestSha256).toBe(pkg.r.headers.get('x-manifest-sha256'));
    expect((await verifyAuditChain(s.rt.db)).ok).toBe(true);
  });

  it('names the observer for an admin, and the previous download is in the next package', async () => {
    const named = await download(admin);
    expect(named.r.status).toBe(200);
    const m: CustodyManifest = JSON.parse((await unzip(named.file)).get('manifest.json')!.toString());
    expect(m.observers).toBe('named');
    expect(m.reports[0]!.observer).toMatchObject({ id: observer.user.id, username: observer.username });
    expect(m.audit.rows.find((r) => r.action === 'evidence_added')!.redacted).toBeUndefined();
    expect(m.audit.rows.some((r) => r.action === 'custody_downloaded' && r.actorName === member.username)).toBe(true);
    const r = await verifyCustodyPackage(named.file);
    expect(r.failures).toEqual([]);
    // Every row is rehashed when nothing was pseudonymised.
    expect(r.auditRowsRecomputed).toBe(r.auditRows);
  });

  it('is refused to observers (403) and 404 for an incident that does not exist', async () => {
    expect((await download(observer)).r.status).toBe(403);
    expect((await download(member, '00000000-0000-4000-8000-000000000000')).r.status).toBe(404);
  });
});

describe('a report its observer edited from ODK Collect', () => {
  const FIRST = 'Convoy of 12 technicals moving west toward Abu Grein on the coastal road.';
  const EDITED = 'Correction: artillery shelling hit houses east of Abu Grein, 2 civilians injured.';
  const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
  const send = (xml: string) => {
    const form = new FormData();
    form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
    return fetch(`${s.url}/submission`, { method: 'POST', headers: { authorization: basic(observer) }, body: form });
  };
  const fields = (narrative: string) => ({ narrative, photo: '', location: '31.4452 15.2503 10.0 8.0' });

  it('is in the package as its latest version and every earlier one as filed, each giving its own content hash', async () => {
    const first = randomUUID();
    const sent = await send(collectSubmission(fields(FIRST), { instanceId: first }));
    expect(sent.status).toBe(201);
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    const filed = await waitFor(async () => {
      const r = await s.rt.db.report.findUnique({ where: { id } });
      return r?.status === 'processed' ? r : null;
    }, 'the first version processed');
    const edit = await send(collectSubmission(fields(EDITED), { instanceId: randomUUID(), deprecatedId: first }));
    expect(edit.status).toBe(201);
    const incident = await waitFor(async () => {
      const r = await s.rt.db.report.findUnique({ where: { id } });
      return r?.status === 'processed' && r.version === 2 && r.inputHash !== filed.inputHash ? r.incidentId : null;
    }, 'the edit processed');

    const pkg = await download(member, incident!);
    expect(pkg.r.status).toBe(200);
    const manifest = JSON.parse((await unzip(pkg.file)).get('manifest.json')!.toString()) as CustodyManifest;
    const report = manifest.reports.find((r) => r.id === id)!;
    expect(report).toMatchObject({ version: 2, narrative: EDITED });
    // What the field sent first, and the hash it was bound to at receipt, are evidence too.
    expect(report.versions).toEqual([
      expect.objectContaining({ version: 1, instanceId: first, narrative: FIRST, contentHash: filed.contentHash }),
    ]);
    const r = await verifyCustodyPackage(pkg.file);
    expect(r.failures).toEqual([]);

    // The first version's narrative changed by one letter in the package: named as that version's.
    const bytes = await readFile(pkg.file);
    const at = bytes.indexOf(Buffer.from('on the coastal road'));
    expect(at).toBeGreaterThan(0);
    bytes[at + 'on the '.length] = 'C'.charCodeAt(0);
    const altered = path.join(dir, 'version-byte.zip');
    await writeFile(altered, bytes);
    expect((await verifyCustodyPackage(altered)).failures).toEqual(
      expect.arrayContaining([`report ${id} version 1: its narrative or fields no longer give its content hash`]),
    );
  });
});

describe('a tampered package fails verification, naming what was changed', () => {
  let original: Buffer;
  let manifest: CustodyManifest;
  const tampered = async (name: string, edit: (zip: Buffer) => void) => {
    const copy = Buffer.from(original);
    edit(copy);
    const file = path.join(dir, `${name}.zip`);
    await writeFile(file, copy);
    return file;
  };

  beforeAll(async () => {
    const pkg = await download(member);
    original = await readFile(pkg.file);
    manifest = JSON.parse((await unzip(pkg.file)).get('manifest.json')!.toString());
  });

  it('one byte of a photo', async () => {
    const at = original.indexOf(photo);
    expect(at).toBeGreaterThan(0); // stored, not compressed: the photo's bytes are in the zip as they are
    const file = await tampered('photo-byte', (z) => {
      z[at + Math.floor(photo.length / 2)] ^= 0x01;
    });
    const path = manifest.reports[0]!.files.find((f) => f.sizeBytes === photo.length)!.path!;
    const r = await verifyCustodyPackage(file);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([expect.stringMatching(new RegExp(`^${path}: tampered`))]);
    const out = cli(file);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`FAILED ${path}: tampered`);
  });

  it('one character of the manifest', async () => {
    const at = original.indexOf(Buffer.from('technicals'));
    const file = await tampered('manifest-byte', (z) => {
      z[at] = 'T'.charCodeAt(0);
    });
    const r = await verifyCustodyPackage(file);
    expect(r.failures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^manifest\.json: altered/),
        expect.stringMatching(/^report .*content hash/),
      ]),
    );
    const out = cli(file);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/FAILED manifest\.json: altered/);
  });

  it('the signature', async () => {
    const sigAt = original.indexOf(Buffer.from('"signature": "')) + '"signature": "'.length;
    const file = await tampered('signature', (z) => {
      z[sigAt] = z[sigAt] === 0x41 ? 0x42 : 0x41;
    });
    const r = await verifyCustodyPackage(file);
    expect(r.failures).toEqual(['signature.json: the signature does not verify over manifest.json']);
    expect(cli(file).status).toBe(1);
  });

  it('a package signed by another key than the one pinned', async () => {
    const file = await tampered('same', () => undefined);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const keyFile = path.join(dir, 'other.pem');
    await writeFile(keyFile, other);
    const mine = path.join(dir, 'mine.pem');
    await writeFile(mine, s.rt.custodySigner.publicKeyPem);
    expect(cli(file, '--key', mine).status).toBe(0);
    const out = cli(file, '--key', keyFile);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/signed with key [0-9a-f]{64}, not the expected key/);
  });

  it('something that is not a package is a usage error (2)', async () => {
    const file = path.join(dir, 'not.zip');
    await writeFile(file, 'hello');
    expect(cli(file).status).toBe(2);
    expect(cli().status).toBe(2);
  });
});
