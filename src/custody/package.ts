// Builds an incident's custody package: the manifest is assembled and signed first, the download is audited, and only
// then does the zip stream out (original files byte for byte, stored uncompressed so a changed byte stays a changed
// byte and names its file). Who may ask is the route's policy; whether names show is `canSeeObserverNames`.
import { createHash, sign } from 'node:crypto';
import { stat } from 'node:fs/promises';
import yazl from 'yazl';
import { appendAudit, chainHead } from '../audit/index.ts';
import { auditContentJson } from '../audit/chain.ts';
import { rowsOfAction, rowsTouching } from '../audit/repository.ts';
import { describeExif } from '../attachments/exif.ts';
import { ALLOWED_TYPES } from '../attachments/sniff.ts';
import { canSeeObserverNames } from '../auth/policies.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { findIncidentForCustody, incidentsMergedInto, separatedFrom } from '../incidents/repository.ts';
import { reportsForCustody } from '../reports/repository.ts';
import { tombstonesOfIncidents } from '../erasure/repository.ts';
import { userNames, type UserName } from '../users/repository.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../users/index.ts';
import type { CustodySigner } from './keys.ts';
import {
  CUSTODY_FORMAT,
  MANIFEST_NAME,
  SIGNATURE_NAME,
  type CustodyManifest,
  type CustodySignature,
  type ManifestAuditRow,
  type ManifestErasedReport,
  type ManifestObserver,
  type ManifestReport,
} from './manifest.ts';

export interface CustodyDeps {
  db: Db;
  clock: Clock;
  files: FileStore;
  signer: CustodySigner;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The incident and every incident merged into it, however many merges deep. */
async function withMerged(db: Db, id: string): Promise<string[]> {
  const all = [id];
  for (let frontier = [id]; frontier.length;) {
    frontier = (await incidentsMergedInto(db, frontier)).filter((x) => !all.includes(x));
    all.push(...frontier);
  }
  return all;
}

/** Audit rows touching the incident: its own and its merged incidents', its reports', and the split that made it. */
async function auditRowsOf(db: Db, incidentIds: string[], reportIds: string[]) {
  const rows = await rowsTouching(db, { incidentIds, reportIds });
  const splitFrom = await separatedFrom(db, incidentIds[0]!);
  const splits = splitFrom.length ? await rowsOfAction(db, 'incident', splitFrom, 'report_split') : [];
  const made = splits.filter((r) => (r.after as { newIncidentId?: string } | null)?.newIncidentId === incidentIds[0]);
  return [...rows, ...made].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

export async function buildManifest(deps: CustodyDeps, requester: AuthUser, incidentId: string) {
  const incident = await findIncidentForCustody(deps.db, incidentId);
  if (!incident) throw new NotFound('incident');
  const named = canSeeObserverNames(requester);
  const incidentIds = await withMerged(deps.db, incidentId);
  const reports = await reportsForCustody(deps.db, incidentId);
  const tombstones = await tombstonesOfIncidents(deps.db, incidentIds);
  const observerIds = new Set([...reports, ...tombstones].map((r) => r.observerId));
  const pseudonym = deps.signer.pseudonym;
  const names = named ? await userNames(deps.db, [...observerIds]) : new Map<string, UserName>();
  const observer = (id: string): ManifestObserver => {
    if (!named) return { pseudonym: pseudonym(id) };
    const u = names.get(id);
    return { id, username: u?.username ?? '', displayName: u?.displayName ?? null };
  };

  const zipFiles = new Map<string, { sha256: string; mtime: Date }>();
  const outReports: ManifestReport[] = [];
  for (const r of reports) {
    const files = [];
    for (const a of r.attachments) {
      const path = `files/${a.sha256}.${ALLOWED_TYPES[a.mime] ?? 'bin'}`;
      const stored = await stat(deps.files.pathOf(a.sha256)).then(
        (s) => s.size === a.sizeBytes,
        () => false,
      );
      if (stored && !zipFiles.has(path)) zipFiles.set(path, { sha256: a.sha256, mtime: a.createdAt });
      files.push({
        path: stored ? path : null,
        sha256: a.sha256,
        sizeBytes: a.sizeBytes,
        mime: a.mime,
        originalName: a.originalName,
        receivedAt: a.createdAt.toISOString(),
        stored,
        exif: {
          takenAt: iso(a.exifTakenAt),
          lat: a.exifLat,
          lon: a.exifLon,
          tags: stored ? await describeExif(deps.files.pathOf(a.sha256), a.mime) : null,
        },
      });
    }
    outReports.push({
      id: r.id,
      observer: observer(r.observerId),
      source: r.source,
      receivedAt: r.receivedAt.toISOString(),
      observedAt: r.observedAt.toISOString(),
      contentHash: r.contentHash,
      lat: r.lat,
      lon: r.lon,
      accuracyM: r.accuracyM,
      placeName: r.placeName,
      narrative: r.narrative,
      partyAlleged: r.partyAlleged,
      casualties: r.casualties,
      files,
      version: r.version,
      versions: r.versions.map((v) => {
        // Stored with the content fields' names and JSON values (src/reports/edits.ts); its flags stay on the page.
        const c = v.content as Record<string, unknown>;
        return {
          version: v.version,
          instanceId: v.instanceId,
          contentHash: v.contentHash,
          replacedAt: v.replacedAt.toISOString(),
          observedAt: c.observedAt as string,
          lat: (c.lat as number | null) ?? null,
          lon: (c.lon as number | null) ?? null,
          accuracyM: (c.accuracyM as number | null) ?? null,
          placeName: (c.placeName as string | null) ?? null,
          narrative: c.narrative as string,
          partyAlleged: c.partyAlleged as string,
          casualties: c.casualties ?? null,
        };
      }),
    });
  }

  const rows: ManifestAuditRow[] = (
    await auditRowsOf(deps.db, incidentIds, [...reports.map((r) => r.id), ...tombstones.map((t) => t.reportId)])
  ).map((row) => {
    const out: ManifestAuditRow = { ...auditContentJson(row), prevHash: row.prevHash, hash: row.hash };
    // An observer acting on their own report (adding evidence) is named in the row: pseudonymise it too.
    if (!named && row.actorId && observerIds.has(row.actorId)) {
      out.actorId = null;
      out.actorName = pseudonym(row.actorId);
      out.redacted = ['actorId', 'actorName'];
    }
    return out;
  });

  const { assignee, ...summary } = incident;
  const manifest: CustodyManifest = {
    format: CUSTODY_FORMAT,
    createdAt: deps.clock.now().toISOString(),
    requester: { username: requester.username, role: requester.role },
    observers: named ? 'named' : 'pseudonymised',
    incident: { ...summary, assignee: assignee?.username ?? null },
    mergedFrom: incidentIds.slice(1),
    reports: outReports,
    erased: tombstones.map((t) => ({
      id: t.reportId,
      observer: observer(t.observerId),
      receivedAt: t.receivedAt.toISOString(),
      observedAt: t.observedAt.toISOString(),
      contentHash: t.contentHash,
      erasedAt: t.erasedAt.toISOString(),
      trigger: t.trigger,
      reason: t.reason,
      files: t.files as ManifestErasedReport['files'],
    })),
    audit: { rows, anchor: await chainHead(deps.db) },
  };
  return { manifest, zipFiles };
}

export function signManifest(signer: CustodySigner, bytes: Buffer): CustodySignature {
  return {
    algorithm: 'Ed25519',
    manifestSha256: createHash('sha256').update(bytes).digest('hex'),
    publicKey: signer.publicKeyPem,
    publicKeyFingerprint: signer.fingerprint,
    signature: sign(null, bytes, signer.privateKey).toString('base64'),
  };
}

/**
 * The package of one incident as a zip stream, and its file name. The download's audit row is committed before the
 * first byte leaves, naming the manifest's hash, so a package in someone's hands can be matched to its download.
 */
export async function startCustodyPackage(deps: CustodyDeps, requester: AuthUser, incidentId: string) {
  const { manifest, zipFiles } = await buildManifest(deps, requester, incidentId);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = signManifest(deps.signer, manifestBytes);
  await appendAudit(
    deps.db,
    {
      actorId: requester.id,
      actorName: requester.username,
      action: 'custody_downloaded',
      entityType: 'incident',
      entityId: incidentId,
      after: {
        manifestSha256: signature.manifestSha256,
        publicKeyFingerprint: signature.publicKeyFingerprint,
        observers: manifest.observers,
        reports: manifest.reports.length,
        files: zipFiles.size,
        anchor: manifest.audit.anchor,
      },
    },
    deps.clock,
  );
  const zip = new yazl.ZipFile();
  const mtime = new Date(manifest.createdAt);
  zip.addBuffer(manifestBytes, MANIFEST_NAME, { compress: false, mtime });
  zip.addBuffer(Buffer.from(`${JSON.stringify(signature, null, 2)}\n`), SIGNATURE_NAME, { compress: false, mtime });
  for (const [path, f] of zipFiles) zip.addFile(deps.files.pathOf(f.sha256), path, { compress: false, mtime: f.mtime });
  zip.end();
  const stamp = manifest.createdAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return {
    stream: zip.outputStream,
    filename: `custody-${incidentId}-${stamp}.zip`,
    manifestSha256: signature.manifestSha256,
  };
}
