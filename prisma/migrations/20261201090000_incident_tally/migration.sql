-- A report joining an incident folds into the incident's running tally instead of re-reading every member;
-- incidents written before it have none and are recomputed from their members at their next join.
-- Members are read newest first per incident (dedup candidates, the incident page) through one index that
-- also serves every lookup by incidentId.

-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "tally" JSONB;

-- DropIndex
DROP INDEX "Report_incidentId_idx";

-- CreateIndex
CREATE INDEX "Report_incidentId_observedAt_id_idx" ON "Report"("incidentId", "observedAt" DESC, "id");
