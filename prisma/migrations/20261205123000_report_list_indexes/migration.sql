-- The reports table (GET /api/reports) at 100k+ reports: each order it offers, newest received or newest observed
-- first, is a backward read of a (key, id) index that the filters narrow (the observed one also makes a date range an
-- index range); terms few reports carry are found through a GIN index instead of a scan. (observedAt, id) takes the
-- place of the index on observedAt alone, which it serves as well.

-- DropIndex
DROP INDEX "Report_observedAt_idx";

-- CreateIndex
CREATE INDEX "Report_observedAt_id_idx" ON "Report"("observedAt", "id");

-- CreateIndex
CREATE INDEX "Report_receivedAt_id_idx" ON "Report"("receivedAt", "id");

-- CreateIndex
CREATE INDEX "Report_terms_idx" ON "Report" USING GIN ("terms");
