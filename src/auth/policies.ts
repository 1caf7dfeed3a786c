// Who may do what, one function per action, named after it. Routes call these; tests check them in a table.
import type { AuthUser } from '../users/index.ts';

type Who = AuthUser | null | undefined;

/** Commission and admin accounts sign in with a second factor, and only through the pages that ask for it. */
export const needsSecondFactor = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
/** OpenRosa's HTTP Basic (a password on every request, no second factor) is the observers' door only. */
export const canSignInWithBasic = (u: Who) => u?.role === 'observer';
export const canFileReport = (u: Who) => u?.role === 'observer';
export const canListAllReports = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canReadReport = (u: Who, report: { observerId: string }) =>
  !!u && (canListAllReports(u) || report.observerId === u.id);
export const canReviewIncidents = (u: Who) => u?.role === 'commission';
export const canReadIncidents = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canManageUsers = (u: Who) => u?.role === 'admin';
export const canCompileDigest = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canReadDigests = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canExport = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canSeeDeadLetters = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
/** An incident's custody package: the evidence with its hashes and audit trail, for an investigator. */
export const canDownloadCustody = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
/** Observers are named in custody packages for admins only; everyone else gets a stable pseudonym. */
export const canSeeObserverNames = (u: Who) => u?.role === 'admin';
/** One observer's name (the reports table): whoever may see names, and the observer themself. */
export const canSeeObserverName = (u: Who, observerId: string) => canSeeObserverNames(u) || u?.id === observerId;
/** Erasing a report (its narrative and files) on request: an admin's decision, audited. */
export const canEraseReports = (u: Who) => u?.role === 'admin';

/** Named filters of the queue and the reports table: whoever reads them keeps their own. */
export const canKeepSavedFilters = (u: Who) => u?.role === 'commission' || u?.role === 'admin';

/** The notices inbox (assignments, severe incidents, observers' answers): whoever reads incidents has one. */
export const canReadNotifications = (u: Who) => u?.role === 'commission' || u?.role === 'admin';

export const canReadAuditLog = (u: Who) => u?.role === 'commission' || u?.role === 'admin';
export const canManageWebhooks = (u: Who) => u?.role === 'admin';
export const canManageSms = (u: Who) => u?.role === 'admin';
export const canSeeQueueDashboard = (u: Who) => u?.role === 'admin';
