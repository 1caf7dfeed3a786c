// The reports table: every report the caller may read, filtered (filters.ts), newest first, in keyset pages; each row
// with its observer and its place in both scripts. Observers are named as the policy says (canSeeObserverName: admins,
// and an observer their own reports); everyone else sees the observer's stable pseudonym, the one custody packages
// give (src/custody/keys.ts), and the `observer` filter matches what they see: a username or a pseudonym.
import type { Db } from '../db/client.ts';
import { keysetPage } from '../db/keyset.ts';
import { likeLiteral } from '../db/like.ts';
import { activeAgreement } from '../agreements/index.ts';
import { canListAllReports, canSeeObserverName, canSeeObserverNames } from '../auth/policies.ts';
import { bothScripts, loadGazetteer } from '../classify/places.ts';
import type { AuthUser } from '../users/index.ts';
import { allIds, idsWithUsernameLike, observerIds, usernamesOf } from '../users/repository.ts';
import { afterCursor, reportOrder, reportWhere, sortInstant } from './filters.ts';
import { findReportPage, type ReportRow } from './repository.ts';
import type { ReportListQuery } from './schema.ts';
import { reportView } from './view.ts';
import type { InfoRequest } from './feedback.ts';
import { observerKeyFor, type Pseudonym } from '../users/observer-identity.ts';

export interface ReportListDeps {
  db: Db;
  /** The agreement's zone, in which a day of `from`/`to` is read. */
  tz: string;
  /** The installation's observer pseudonym (the custody signer's). */
  pseudonym: Pseudonym;
}

/** The accounts the `observer` filter names: part of a username for who may see names, else part of a pseudonym. */
async function observersMatching(deps: ReportListDeps, reader: AuthUser, text: string): Promise<string[]> {
  // The accounts first (a small table), so the reports are read through their observer index, not joined row by row.
  if (canSeeObserverNames(reader)) return idsWithUsernameLike(deps.db, likeLiteral(text));
  const wanted = text.toLowerCase();
  return (await allIds(deps.db)).filter((id) => deps.pseudonym(id).includes(wanted));
}

/** `observerId` as the reader knows it (an account id, or a pseudonym for who may not see names) as an account id. */
async function observerIdOf(deps: ReportListDeps, reader: AuthUser, key: string): Promise<string> {
  const wanted = key.toLowerCase();
  if (canSeeObserverNames(reader) && !wanted.startsWith('observer-')) return wanted;
  // A pseudonym names the observer for anyone; a raw account id, for who may not see names, matches nothing.
  return (await observerIds(deps.db)).find((id) => deps.pseudonym(id) === wanted) ?? NO_ONE;
}
const NO_ONE = '00000000-0000-0000-0000-000000000000';

export async function listReports(deps: ReportListDeps, reader: AuthUser, query: ReportListQuery) {
  const q = query.observerId ? { ...query, observerId: await observerIdOf(deps, reader, query.observerId) } : query;
  const onlyObserverId = canListAllReports(reader) ? null : reader.id;
  const observerIds = q.observer ? await observersMatching(deps, reader, q.observer) : undefined;
  const and = reportWhere(q, deps.tz, { onlyObserverId, observerIds });
  if (q.cursor) and.push(afterCursor(q.sort, q.cursor));
  const rows = await findReportPage(deps.db, { AND: and }, reportOrder(q.sort), q.limit + 1);
  const { page, nextCursor } = keysetPage(rows, q.limit, q.sort, (r) => sortInstant(q.sort, r));
  return { items: page, nextCursor };
}

/** The page's rows as the table shows them to `reader`. */
export async function reportListItems(
  deps: ReportListDeps,
  reader: AuthUser,
  rows: ReportRow[],
  requests: Map<string, InfoRequest>,
) {
  const named = [...new Set(rows.map((r) => r.observerId))].filter((id) => canSeeObserverName(reader, id));
  const names = await usernamesOf(deps.db, named);
  const gazetteer = loadGazetteer(activeAgreement().gazetteer);
  const observerKey = observerKeyFor(reader, deps.pseudonym);
  return rows.map((r) => {
    const observerNamed = canSeeObserverName(reader, r.observerId);
    return {
      ...reportView(r, observerKey, requests),
      observerName: observerNamed ? (names.get(r.observerId) ?? null) : deps.pseudonym(r.observerId),
      observerNamed,
      // The place the pipeline resolved, else the typed one when the gazetteer knows it under that spelling.
      gazetteerPlace: bothScripts(r.resolvedPlace, gazetteer) ?? bothScripts(r.placeName, gazetteer),
    };
  });
}
