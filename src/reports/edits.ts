// An observer's edit of a report already sent. ODK Collect (2025.2 and later) lets an observer edit a sent form: the
// edit arrives as a new submission, with its own instanceID, whose meta/deprecatedID names the instance it replaces.
// It becomes a new version of that report, not a second report beside it (which dedup would then have to guess was
// the same incident): the report row takes the edited content, which the pipeline classifies and compares again;
// the version it replaces is kept as filed (ReportVersion), so what the field sent first stays evidence; and the
// edit is audited with what changed. Nothing is refused for being an edit: an edit of a report this observer never
// sent (the first version lost on the way, or sent from another account) is filed as a new report.
import type { AuthUser } from '../users/index.ts';
import { Conflict, NotFound } from '../errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { IncomingFile } from '../attachments/prepare.ts';
import { retryOnDeadlock } from '../db/retry.ts';
import { enqueue } from '../outbox/repository.ts';
import { REPORT_RECEIVED } from '../queue/names.ts';
import { reportContentHash } from './content-hash.ts';
import { judgeObservedAt, type ReportFlag } from './flags.ts';
import { parseReportInput } from './validate.ts';
import type { ReportInput } from './schema.ts';
import {
  addRetriedEvidence,
  assertRoomFor,
  DECIDED_STATES,
  keepEvidence,
  newEvidence,
  offsetOf,
  submitReport,
  type IntakeDeps,
} from './service.ts';
import {
  addAttachments,
  getReportRow,
  lockCurrentVersion,
  lockForEvidence,
  writeEditedReport,
  type CurrentVersion,
  type ReportSource,
} from './repository.ts';
import { noticeObserverChange } from '../notifications/index.ts';
import {
  findInstanceContent,
  findReportByInstance,
  insertReportVersion,
  replacedVersionOf,
} from './versions-repository.ts';

export interface EditResult {
  report: NonNullable<Awaited<ReturnType<typeof getReportRow>>>;
  /** A report was stored for the first time (an edit of a report this observer never sent). */
  created: boolean;
  /** This delivery made a new version (false: a resend of an edit already applied, or a new report). */
  edited: boolean;
}

// The content fields a version is made of, as the audit and ReportVersion keep them.
const CONTENT_FIELDS = [
  'observedAt',
  'lat',
  'lon',
  'accuracyM',
  'placeName',
  'narrative',
  'partyAlleged',
  'casualties',
] as const;
type Content = Record<(typeof CONTENT_FIELDS)[number], unknown>;

function contentOf(input: ReportInput, observedAt: string): Content {
  return {
    observedAt: new Date(observedAt).toISOString(),
    lat: input.lat ?? null,
    lon: input.lon ?? null,
    accuracyM: input.accuracyM ?? null,
    placeName: input.placeName ?? null,
    narrative: input.narrative,
    partyAlleged: input.partyAlleged,
    casualties: input.casualties ?? null,
  };
}

function storedContent(r: CurrentVersion): Content {
  return {
    observedAt: r.observedAt.toISOString(),
    lat: r.lat,
    lon: r.lon,
    accuracyM: r.accuracyM,
    placeName: r.placeName,
    narrative: r.narrative,
    partyAlleged: r.partyAlleged,
    casualties: r.casualties,
  };
}

/** The content fields whose value differs between two versions. */
export function changedFields(before: Content, after: Content): Array<(typeof CONTENT_FIELDS)[number]> {
  return CONTENT_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/**
 * `raw`: the edited report (its clientId is the edit's own instanceID); `replaces`: the deprecatedID, the instance
 * the edit replaces.
 */
export async function editReport(
  deps: IntakeDeps,
  observer: AuthUser,
  replaces: string,
  raw: unknown,
  incoming: IncomingFile[],
  source: ReportSource,
): Promise<EditResult> {
  const input = parseReportInput(raw, deps.limits.maxNarrativeChars);
  const contentHash = reportContentHash(input);
  // A resend of an edit already applied (Collect retries until it reads a 201) changes nothing, as for any resend;
  // it may still bring a photo the first delivery lost. An instanceID sent before with other content is not a
  // resend (another report's, or another version's): refused as any clientId reused with other content, so neither
  // the edit is lost as "already received" nor its files bound to a report that never said it.
  const applied = await findInstanceContent(deps.db, observer.id, input.clientId);
  if (applied && applied.contentHash !== contentHash)
    throw new Conflict('this instanceID was already used for a report with different content', {
      reportId: applied.reportId,
    });
  if (applied) return resent(deps, observer, applied.reportId, incoming);
  const reportId = await findReportByInstance(deps.db, observer.id, replaces);
  // The commission decided on the report as it stands: an edit must not change what was verified or rejected without
  // anyone seeing it (nor the pipeline move the report out of that incident). Filed as a new report, as evidence
  // arriving after a decision is sent: dedup places it, and on a verified incident it counts as new since then.
  const decided = reportId ? DECIDED_STATES.has((await getReportRow(deps.db, reportId))?.incident?.state ?? '') : false;
  if (!reportId || decided) {
    const r = await submitReport(deps, observer, input, incoming, source);
    return { ...r, edited: false };
  }

  // An edit is intake as a new report is (a version to process and read): it takes a point of the account's quota,
  // given back when this delivery makes no version. A resend (above) never takes one.
  const charge = (await deps.quota?.take(observer.id)) ?? null;
  let edited = false;
  try {
    const r = await applyEdit(deps, observer, input, contentHash, reportId, replaces, incoming);
    edited = r.edited;
    return r;
  } finally {
    if (!edited) await charge?.giveBack();
  }
}

async function applyEdit(
  deps: IntakeDeps,
  observer: AuthUser,
  input: ReportInput,
  contentHash: string,
  reportId: string,
  replaces: string,
  incoming: IncomingFile[],
): Promise<EditResult> {
  const judged = judgeObservedAt(input.observedAt, deps.clock.now());
  const attachments = await keepEvidence(deps, incoming, offsetOf(input.observedAt));

  // Deadlock-safe to run again: the callback only reads and writes through tx.
  const done = await retryOnDeadlock(() =>
    deps.db.$transaction(async (tx) => {
      const current = await lockCurrentVersion(tx, reportId);
      if (!current) throw new NotFound('report');
      // Two deliveries of one edit raced to here: the first made the version (current, or replaced since by a
      // later edit, which this stale delivery must not overwrite).
      if (await findReportByInstance(tx, observer.id, input.clientId)) return null;
      const evidence = await lockForEvidence(tx, reportId);
      // Decided between the look above and the lock: Collect sends the edit again, and it is then filed as new.
      if (evidence?.state && DECIDED_STATES.has(evidence.state))
        throw new Conflict(`the incident of this report was just ${evidence.state}; send the edit again`, { reportId });
      const before = storedContent(current);
      const after = contentOf(input, judged.observedAt);
      const version = current.version + 1;
      // Collect edits the copy on the phone: an edit made from an older version than the latest (a second phone, a
      // form edited twice before either copy was sent) becomes the newest all the same, so the reviewer is told
      // that the changes of the versions in between are not in it (they are kept as filed).
      const basedOn =
        replaces === (current.versionInstanceId ?? current.clientId)
          ? current.version
          : ((await replacedVersionOf(tx, reportId, replaces)) ?? current.version);
      const flags: ReportFlag[] =
        basedOn < current.version
          ? [
              ...judged.flags,
              { code: 'edited_from_older', field: 'version', reported: basedOn, inferred: current.version },
            ]
          : judged.flags;
      await insertReportVersion(tx, {
        reportId,
        version: current.version,
        instanceId: current.versionInstanceId ?? current.clientId,
        contentHash: current.contentHash,
        content: { ...before, flags: current.flags },
        replacedAt: deps.clock.now(),
      });
      await writeEditedReport(tx, reportId, {
        input,
        contentHash,
        judged: { ...judged, flags },
        version,
        instanceId: input.clientId,
      });
      const stored = evidence?.stored ?? [];
      const fresh = newEvidence(stored, attachments);
      assertRoomFor(stored.length, fresh.length, deps.limits.maxAttachments);
      if (fresh.length) await addAttachments(tx, reportId, fresh);
      // The new content is processed again: classified, placed, and compared for its incident.
      await enqueue(tx, REPORT_RECEIVED, { reportId });
      const changed = changedFields(before, after);
      await appendAudit(
        tx,
        {
          actorId: observer.id,
          actorName: observer.username,
          action: 'report_edited',
          entityType: 'report',
          entityId: reportId,
          // Which fields changed and the content hash of each version, not the values: an audit row is never
          // rewritten, and an erasure must take the report's narrative and place with it (the values are the
          // versions', ReportVersion, which go with the report).
          before: { version: current.version, contentHash: current.contentHash },
          after: {
            version,
            contentHash,
            changed,
            instanceId: input.clientId,
            replaces,
            basedOn,
            flags,
            attachments: fresh.map((a) => ({ sha256: a.sha256, mime: a.mime, originalName: a.originalName })),
          },
        },
        deps.clock,
      );
      // The member holding the incident hears of it: the report they are reviewing says something else now.
      if (evidence?.incidentId)
        await noticeObserverChange(
          tx,
          { id: evidence.incidentId, assigneeId: evidence.assigneeId },
          'edited',
          observer.id,
        );
      return { incidentId: current.incidentId };
    }),
  );
  // Another delivery of this edit made the version first: this one is a resend, and may bring a photo that one lost.
  if (done === null && attachments.length) await addRetriedEvidence(deps, observer, reportId, attachments);
  if (done?.incidentId) deps.events?.([{ incidentId: done.incidentId, kind: 'edited', actorId: observer.id }]);
  return { report: (await getReportRow(deps.db, reportId))!, created: false, edited: done !== null };
}

async function resent(deps: IntakeDeps, observer: AuthUser, reportId: string, incoming: IncomingFile[]) {
  if (incoming.length) {
    await addRetriedEvidence(deps, observer, reportId, await keepEvidence(deps, incoming));
  }
  return { report: (await getReportRow(deps.db, reportId))!, created: false, edited: false };
}
