-- The queue's place filter matches a substring of the incident's place in any spelling (ILIKE '%...%'). A trigram
-- index answers it without reading every incident. pg_trgm ships with PostgreSQL (contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Incident_placeName_trgm_idx" ON "Incident" USING GIN ("placeName" gin_trgm_ops);
