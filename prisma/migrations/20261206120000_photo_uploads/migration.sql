-- Resumable photo uploads: a photo sent in chunks over a weak link, resumed from the offset the server holds, then
-- cited by a report (once) by its id.

-- CreateTable
CREATE TABLE "PhotoUpload" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "observerId" UUID NOT NULL,
    "lengthBytes" INTEGER NOT NULL,
    "offsetBytes" INTEGER NOT NULL DEFAULT 0,
    "originalName" VARCHAR(255) NOT NULL,
    "sha256" CHAR(64),
    "claimClientId" UUID,
    "reportId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PhotoUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PhotoUpload_observerId_reportId_idx" ON "PhotoUpload"("observerId", "reportId");

-- CreateIndex
CREATE INDEX "PhotoUpload_updatedAt_idx" ON "PhotoUpload"("updatedAt");

-- AddForeignKey
ALTER TABLE "PhotoUpload" ADD CONSTRAINT "PhotoUpload_observerId_fkey" FOREIGN KEY ("observerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
