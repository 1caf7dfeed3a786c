-- What observers add to a sent report: answers to requests for more information, later notes and files.

-- CreateTable
CREATE TABLE "ReportAddition" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "reportId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "text" TEXT,
    "attachments" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "answersRequest" BOOLEAN NOT NULL DEFAULT false,
    "clientId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportAddition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReportAddition_authorId_clientId_key" ON "ReportAddition"("authorId", "clientId");

-- CreateIndex
CREATE INDEX "ReportAddition_reportId_createdAt_idx" ON "ReportAddition"("reportId", "createdAt");

-- AddForeignKey
ALTER TABLE "ReportAddition" ADD CONSTRAINT "ReportAddition_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportAddition" ADD CONSTRAINT "ReportAddition_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
