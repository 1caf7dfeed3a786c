// The reports table: every report the caller may read, filtered (filters.ts), newest first, in keyset pages; each row
// with its observer's username and its place in both scripts. Observers only ever list their own reports, so the only
// name they are ever shown is their own.
import type { Db } from '../db/client.ts';
import { keysetPage } from '../db/keyset.ts';
import { likeLiteral } from '../db/like.ts';
import { activeAgreement } from '../agreements/index.ts';
import { bothScripts, loadGazetteer } from '../classify/places.ts';
import { idsWithUsernameLike, usernamesOf } from '../users/repository.ts';
import { afterCursor, reportOrder, reportWhere, sortInstant } from './filters.ts';
import { findReportPage, type ReportRow } from './repository.ts';
import type { ReportListQuery } from './schema.ts';
import { reportView } from './view.ts';
import type { InfoRequest } from './feedback.ts';

export async function listReports(db: Db, q: ReportListQuery, tz: string, onlyObserverId: string | null) {
  // The accounts first (a small table), so the reports are read through their observer index, not joined row by row.
  const observerIds = q.observer ? await idsWithUsernameLike(db, likeLiteral(q.observer)) : undefined;
  const and = reportWhere(q, tz, { onlyObserverId, observerIds });
  if (q.cursor) and.push(afterCursor(q.sort, q.cursor));
  const rows = await findReportPage(db, { AND: and }, reportOrder(q.sort), q.limit + 1);
  const { page, nextCursor } = keysetPage(rows, q.limit, q.sort, (r) => sortInstant(q.sort, r));
  return { items: page, nextCursor };
}

/** The page's rows as the table shows them. */
export async function reportListItems(db: Db, rows: ReportRow[], requests: Map<string, InfoRequest>) {
  const names = await usernamesOf(db, [...new Set(rows.map((r) => r.observerId))]);
  const gazetteer = loadGazetteer(activeAgreement().gazetteer);
  return rows.map((r) => ({
    ...reportView(r, requests),
    observerName: names.get(r.observerId) ?? null,
    // The place the pipeline resolved, else the typed one when the gazetteer knows it under that spelling.
    gazetteerPlace: bothScripts(r.resolvedPlace, gazetteer) ?? bothScripts(r.placeName, gazetteer),
  }));
}
