-- The reports table's `flagged=true` (GET /api/reports): the few reports with a doubt, newest first, in either order
-- the table offers. Without these the filter scanned every report and sorted the flagged ones; each partial index
-- holds only the flagged reports, in the page's (key, id) order, so a page is a short backward index read. Intake and
-- the pipeline write `[]` when there is no doubt, never null; the predicate is the one the list's filter sends
-- (src/reports/filters.ts), which the planner has to find implied.

-- CreateIndex
CREATE INDEX "Report_flagged_observedAt_id_idx" ON "Report"("observedAt", "id") WHERE "flags" <> '[]'::jsonb;

-- CreateIndex
CREATE INDEX "Report_flagged_receivedAt_id_idx" ON "Report"("receivedAt", "id") WHERE "flags" <> '[]'::jsonb;
