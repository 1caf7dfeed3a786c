-- Review queue at 100k incidents: each sort order is (key, id) so keyset pages read an index range;
-- GIN indexes serve the party and language filters as `terms` already does.

-- CreateIndex
CREATE INDEX "Incident_severity_id_idx" ON "Incident"("severity", "id");

-- CreateIndex
CREATE INDEX "Incident_firstObservedAt_id_idx" ON "Incident"("firstObservedAt", "id");

-- CreateIndex
CREATE INDEX "Incident_reportCount_id_idx" ON "Incident"("reportCount", "id");

-- CreateIndex
CREATE INDEX "Incident_assigneeId_idx" ON "Incident"("assigneeId");

-- CreateIndex
CREATE INDEX "Incident_mergedIntoId_idx" ON "Incident"("mergedIntoId");

-- CreateIndex
CREATE INDEX "Incident_parties_idx" ON "Incident" USING GIN ("parties");

-- CreateIndex
CREATE INDEX "Incident_languages_idx" ON "Incident" USING GIN ("languages");
