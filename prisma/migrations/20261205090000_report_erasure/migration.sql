-- Tombstones of erased reports: what proves a report existed once its narrative and files are gone.

-- CreateTable
CREATE TABLE "ReportErasure" (
    "reportId" UUID NOT NULL,
    "observerId" UUID NOT NULL,
    "clientId" UUID NOT NULL,
    "incidentId" UUID,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "observedAt" TIMESTAMPTZ(3) NOT NULL,
    "contentHash" CHAR(64) NOT NULL,
    "files" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "trigger" VARCHAR(16) NOT NULL,
    "erasedById" UUID,
    "erasedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReportErasure_pkey" PRIMARY KEY ("reportId")
);

-- CreateIndex
CREATE INDEX "ReportErasure_incidentId_idx" ON "ReportErasure"("incidentId");

-- CreateIndex
CREATE INDEX "ReportErasure_observerId_clientId_idx" ON "ReportErasure"("observerId", "clientId");

-- CreateIndex
CREATE INDEX "ReportErasure_erasedAt_idx" ON "ReportErasure"("erasedAt");

-- When a reviewer last changed an incident's state: retention counts a rejection's age from it.
-- AlterTable
ALTER TABLE "Incident" ADD COLUMN "stateChangedAt" TIMESTAMPTZ(3);

-- Incidents decided before the column existed: their last change is the best estimate.
UPDATE "Incident" SET "stateChangedAt" = "updatedAt" WHERE "state" <> 'new';
