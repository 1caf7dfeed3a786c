-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "inputHash" CHAR(64),
ADD COLUMN     "placeKey" VARCHAR(64);

-- CreateIndex
CREATE INDEX "Report_placeKey_observedAt_idx" ON "Report"("placeKey", "observedAt");

-- CreateIndex
CREATE INDEX "IncidentSeparation_incidentB_idx" ON "IncidentSeparation"("incidentB");
