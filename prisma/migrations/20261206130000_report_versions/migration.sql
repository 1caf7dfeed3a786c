-- ODK Collect's edits of a sent form: a new version of the report (the row holds the latest), each earlier version
-- kept as filed.

-- AlterTable
ALTER TABLE "Report" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "versionInstanceId" UUID;

-- CreateTable
CREATE TABLE "ReportVersion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "reportId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "instanceId" UUID NOT NULL,
    "contentHash" CHAR(64) NOT NULL,
    "content" JSONB NOT NULL,
    "replacedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Report_observerId_versionInstanceId_key" ON "Report"("observerId", "versionInstanceId");

-- CreateIndex
CREATE UNIQUE INDEX "ReportVersion_reportId_version_key" ON "ReportVersion"("reportId", "version");

-- CreateIndex
CREATE INDEX "ReportVersion_instanceId_idx" ON "ReportVersion"("instanceId");

-- AddForeignKey
ALTER TABLE "ReportVersion" ADD CONSTRAINT "ReportVersion_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE CASCADE ON UPDATE CASCADE;
