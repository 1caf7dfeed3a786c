-- AuditEvent is append-only at the database level: UPDATE, DELETE and TRUNCATE raise an error whatever
-- the client. Triggers are not part of Prisma's model, so schema.prisma does not mention this.
-- A superuser can still disable the trigger; the hash chain (npm run audit:verify) detects what follows.
CREATE OR REPLACE FUNCTION "audit_event_reject_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- CreateTrigger
CREATE TRIGGER "AuditEvent_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_reject_change"();

-- CreateTrigger
CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_reject_change"();
