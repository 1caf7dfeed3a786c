// Audit: an append-only, hash-chained record of who did what (appendAudit) and its verifier (verifyAuditChain).
export { AUDIT_ACTIONS, isAuditAction, type AuditAction } from './actions.ts';
export { appendAudit, AUDIT_LOCK_KEY, type AuditEntry, type AuditRow, type AuditTx, type Clock } from './append.ts';
export { GENESIS_HASH, auditHash } from './chain.ts';
export { verifyAuditChain, type AuditFault, type AuditVerification } from './verify.ts';
export { canonicalJson, sha256Hex } from './canonical.ts';
export {
  anchorOf,
  chainHead,
  checkAnchors,
  formatAnchor,
  parseAnchor,
  type AuditAnchor,
  type AnchorFault,
} from './anchor.ts';
