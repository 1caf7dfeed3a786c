// The audit actions other modules record; one list so a typo is a type error, not a silent new action.
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'sessions_ended',
  'second_factor_enrolled',
  'second_factor_failed',
  'second_factor_recovery_used',
  'second_factor_reset',
  'token_created',
  'token_revoked',
  'user_created',
  'user_updated',
  'password_reset',
  'incident_state_changed',
  'incident_corrected',
  'incident_assigned',
  'incident_merged',
  'report_split',
  'report_corrected',
  'comment_added',
  'evidence_added',
  'report_addition',
  'report_edited',
  'export_downloaded',
  'custody_downloaded',
  'report_erased',
  'digest_created',
  'job_retried',
  'model_promoted',
  'model_refused',
  'webhook_created',
  'webhook_updated',
  'webhook_secret_rotated',
  'webhook_resent',
  'sms_retried',
  'sms_dismissed',
  'saved_filter_created',
  'saved_filter_updated',
  'saved_filter_deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
