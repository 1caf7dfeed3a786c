// Offline verification of a custody package (npm run custody:verify -- file.zip): needs no server and no database,
// only the zip. Every failure is named: a file whose bytes changed, a manifest that is not the one signed, a
// signature that does not verify (or a key other than the one pinned), an audit row whose content no longer gives
// its hash, an entry the manifest does not list.
import { createHash, createPublicKey, verify } from 'node:crypto';
import yauzl from 'yauzl';
import { auditHash } from '../audit/chain.ts';
import { canonicalReport } from '../reports/content-hash.ts';
import type { ReportInput } from '../reports/schema.ts';
import { publicKeyFingerprint } from './keys.ts';
import {
  CUSTODY_FORMAT,
  MANIFEST_NAME,
  SIGNATURE_NAME,
  type CustodyManifest,
  type CustodySignature,
  type ManifestAuditRow,
} from './manifest.ts';

export interface CustodyVerification {
  ok: boolean;
  failures: string[];
  incidentId?: string;
  reports?: number;
  files?: number;
  auditRows?: number;
  /** Audit rows whose hash was recomputed from their content (pseudonymised rows cannot be). */
  auditRowsRecomputed?: number;
  anchor?: { seq: string; hash: string } | null;
  fingerprint?: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every entry's SHA-256 and size, and the bytes of the two small JSON files. */
async function readZip(file: string) {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  const entries = new Map<string, { sha256: string; size: number; bytes?: Buffer; error?: string }>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const keep = entry.fileName === MANIFEST_NAME || entry.fileName === SIGNATURE_NAME;
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of await zip.openReadStreamPromise(entry)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          if (keep) chunks.push(chunk as Buffer);
        }
        entries.set(entry.fileName, {
          sha256: hash.digest('hex'),
          size,
          ...(keep ? { bytes: Buffer.concat(chunks) } : {}),
        });
      } catch (err) {
        entries.set(entry.fileName, { sha256: '', size: 0, error: (err as Error).message });
      }
    }
  } finally {
    zip.close();
  }
  return entries;
}

function checkAuditRows(rows: ManifestAuditRow[], failures: string[]): number {
  let recomputed = 0;
  let prev: ManifestAuditRow | undefined;
  for (const row of rows) {
    if (!row.redacted?.length) {
      const content = { ...row, seq: BigInt(row.seq), at: new Date(row.at) };
      if (auditHash(row.prevHash, content) !== row.hash)
        failures.push(`audit row seq ${row.seq} (${row.action}): its content no longer gives its hash`);
      recomputed += 1;
    }
    // Rows next to each other in the chain must link; rows with others between them cannot be linked here.
    if (prev && BigInt(prev.seq) + 1n === BigInt(row.seq) && row.prevHash !== prev.hash)
      failures.push(`audit row seq ${row.seq}: does not link to row ${prev.seq}`);
    prev = row;
  }
  return recomputed;
}

export async function verifyCustodyPackage(
  file: string,
  opts: { publicKeyPem?: string } = {},
): Promise<CustodyVerification> {
  const failures: string[] = [];
  const entries = await readZip(file);
  for (const [name, e] of entries) if (e.error) failures.push(`${name}: unreadable (${e.error})`);
  const manifestBytes = entries.get(MANIFEST_NAME)?.bytes;
  const signatureBytes = entries.get(SIGNATURE_NAME)?.bytes;
  if (!manifestBytes) failures.push(`${MANIFEST_NAME}: missing`);
  if (!signatureBytes) failures.push(`${SIGNATURE_NAME}: missing`);
  if (!manifestBytes || !signatureBytes) return { ok: false, failures };

  let sig: CustodySignature;
  let manifest: CustodyManifest;
  try {
    sig = JSON.parse(signatureBytes.toString('utf8')) as CustodySignature;
  } catch {
    return { ok: false, failures: [...failures, `${SIGNATURE_NAME}: not JSON`] };
  }
  let fingerprint: string | undefined;
  try {
    const key = createPublicKey(sig.publicKey);
    fingerprint = publicKeyFingerprint(key);
    const actual = sha256(manifestBytes);
    if (actual !== sig.manifestSha256)
      failures.push(`${MANIFEST_NAME}: altered (SHA-256 ${actual}; the one signed is ${sig.manifestSha256})`);
    else if (!verify(null, manifestBytes, key, Buffer.from(sig.signature, 'base64')))
      failures.push(`${SIGNATURE_NAME}: the signature does not verify over ${MANIFEST_NAME}`);
    if (opts.publicKeyPem) {
      const expected = publicKeyFingerprint(createPublicKey(opts.publicKeyPem));
      if (expected !== fingerprint)
        failures.push(`${SIGNATURE_NAME}: signed with key ${fingerprint}, not the expected key ${expected}`);
    }
  } catch (err) {
    failures.push(`${SIGNATURE_NAME}: unusable (${(err as Error).message})`);
  }

  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as CustodyManifest;
  } catch {
    return { ok: false, failures: [...failures, `${MANIFEST_NAME}: not JSON`], fingerprint };
  }
  if (manifest.format !== CUSTODY_FORMAT) failures.push(`${MANIFEST_NAME}: unknown format ${String(manifest.format)}`);

  const listed = new Set<string>([MANIFEST_NAME, SIGNATURE_NAME]);
  for (const report of manifest.reports ?? []) {
    // The narrative and fields as received: the content hash taken at receipt must still come out of them.
    if (sha256(Buffer.from(canonicalReport(report as unknown as ReportInput))) !== report.contentHash)
      failures.push(`report ${report.id}: its narrative or fields no longer give the content hash taken at receipt`);
    // Packages made before reports had versions have none to check.
    for (const v of report.versions ?? [])
      if (sha256(Buffer.from(canonicalReport(v as unknown as ReportInput))) !== v.contentHash)
        failures.push(
          `report ${report.id} version ${v.version}: its narrative or fields no longer give its content hash`,
        );
    for (const f of report.files) {
      if (!f.path) continue;
      listed.add(f.path);
      const e = entries.get(f.path);
      if (!e) failures.push(`${f.path}: missing from the package`);
      else if (!e.error && (e.sha256 !== f.sha256 || e.size !== f.sizeBytes))
        failures.push(
          `${f.path}: tampered (SHA-256 ${e.sha256}, ${e.size} bytes; manifest says ${f.sha256}, ${f.sizeBytes} bytes)`,
        );
    }
  }
  for (const name of entries.keys()) if (!listed.has(name)) failures.push(`${name}: not listed in the manifest`);
  const auditRowsRecomputed = checkAuditRows(manifest.audit?.rows ?? [], failures);

  return {
    ok: failures.length === 0,
    failures,
    incidentId: manifest.incident?.id,
    reports: manifest.reports?.length,
    files: listed.size - 2,
    auditRows: manifest.audit?.rows?.length,
    auditRowsRecomputed,
    anchor: manifest.audit?.anchor ?? null,
    fingerprint,
  };
}
