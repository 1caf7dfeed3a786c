-- CreateEnum
CREATE TYPE "Role" AS ENUM ('observer', 'commission', 'admin');

-- CreateEnum
CREATE TYPE "Party" AS ENUM ('LAAF', 'GNA', 'foreign', 'unknown');

-- CreateEnum
CREATE TYPE "ReportStatus" AS ENUM ('received', 'processed', 'failed');

-- CreateEnum
CREATE TYPE "ReportSource" AS ENUM ('api', 'web', 'openrosa');

-- CreateEnum
CREATE TYPE "IncidentState" AS ENUM ('new', 'under_review', 'verified', 'rejected', 'needs_info');

-- CreateEnum
CREATE TYPE "Stance" AS ENUM ('violation', 'compliance', 'information');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "username" VARCHAR(64) NOT NULL,
    "displayName" VARCHAR(200),
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "tokenHash" CHAR(64) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session" (
    "sid" VARCHAR NOT NULL,
    "sess" JSON NOT NULL,
    "expire" TIMESTAMP(6) NOT NULL,

    CONSTRAINT "session_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clientId" UUID NOT NULL,
    "observerId" UUID NOT NULL,
    "source" "ReportSource" NOT NULL DEFAULT 'api',
    "contentHash" CHAR(64) NOT NULL,
    "observedAt" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lat" DOUBLE PRECISION,
    "lon" DOUBLE PRECISION,
    "accuracyM" DOUBLE PRECISION,
    "placeName" VARCHAR(200),
    "narrative" TEXT NOT NULL,
    "partyAlleged" "Party" NOT NULL DEFAULT 'unknown',
    "casualties" JSONB,
    "status" "ReportStatus" NOT NULL DEFAULT 'received',
    "failureReason" TEXT,
    "processedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "language" VARCHAR(2),
    "normalizedText" TEXT,
    "resolvedPlace" VARCHAR(200),
    "resolvedLat" DOUBLE PRECISION,
    "resolvedLon" DOUBLE PRECISION,
    "geoCell" VARCHAR(32),
    "features" JSONB,
    "classification" JSONB,
    "correction" JSONB,
    "terms" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "stance" "Stance",
    "confidence" DOUBLE PRECISION,
    "incidentId" UUID,
    "incidentPinned" BOOLEAN NOT NULL DEFAULT false,
    "assignmentScore" DOUBLE PRECISION,
    "assignmentReasons" JSONB,

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "reportId" UUID NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "mime" VARCHAR(100) NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "originalName" VARCHAR(255) NOT NULL,
    "exifTakenAt" TIMESTAMPTZ(3),
    "exifLat" DOUBLE PRECISION,
    "exifLon" DOUBLE PRECISION,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" BIGSERIAL NOT NULL,
    "topic" VARCHAR(64) NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "state" "IncidentState" NOT NULL DEFAULT 'new',
    "assigneeId" UUID,
    "terms" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "stance" "Stance",
    "parties" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "confidence" DOUBLE PRECISION,
    "severity" INTEGER NOT NULL DEFAULT 0,
    "correction" JSONB,
    "lat" DOUBLE PRECISION,
    "lon" DOUBLE PRECISION,
    "geoCell" VARCHAR(32),
    "placeName" VARCHAR(200),
    "firstObservedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastObservedAt" TIMESTAMPTZ(3) NOT NULL,
    "reportCount" INTEGER NOT NULL DEFAULT 0,
    "languages" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "summary" TEXT,
    "mergedIntoId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentSeparation" (
    "incidentA" UUID NOT NULL,
    "incidentB" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IncidentSeparation_pkey" PRIMARY KEY ("incidentA","incidentB")
);

-- CreateTable
CREATE TABLE "Comment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "incidentId" UUID NOT NULL,
    "authorId" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "actorName" VARCHAR(64),
    "action" VARCHAR(64) NOT NULL,
    "entityType" VARCHAR(32) NOT NULL,
    "entityId" VARCHAR(64),
    "before" JSONB,
    "after" JSONB,
    "prevHash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "Digest" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "periodFrom" TIMESTAMPTZ(3) NOT NULL,
    "periodTo" TIMESTAMPTZ(3) NOT NULL,
    "agreementId" VARCHAR(64) NOT NULL,
    "trigger" VARCHAR(16) NOT NULL,
    "requestedById" UUID,
    "contentHash" CHAR(64) NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Digest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE INDEX "IDX_session_expire" ON "session"("expire");

-- CreateIndex
CREATE INDEX "Report_observedAt_idx" ON "Report"("observedAt");

-- CreateIndex
CREATE INDEX "Report_status_receivedAt_idx" ON "Report"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "Report_incidentId_idx" ON "Report"("incidentId");

-- CreateIndex
CREATE INDEX "Report_geoCell_observedAt_idx" ON "Report"("geoCell", "observedAt");

-- CreateIndex
CREATE INDEX "Report_observerId_receivedAt_idx" ON "Report"("observerId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Report_observerId_clientId_key" ON "Report"("observerId", "clientId");

-- CreateIndex
CREATE INDEX "Attachment_sha256_idx" ON "Attachment"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_reportId_sha256_key" ON "Attachment"("reportId", "sha256");

-- CreateIndex
CREATE INDEX "OutboxEvent_publishedAt_id_idx" ON "OutboxEvent"("publishedAt", "id");

-- CreateIndex
CREATE INDEX "Incident_state_lastObservedAt_idx" ON "Incident"("state", "lastObservedAt");

-- CreateIndex
CREATE INDEX "Incident_geoCell_lastObservedAt_idx" ON "Incident"("geoCell", "lastObservedAt");

-- CreateIndex
CREATE INDEX "Incident_lastObservedAt_idx" ON "Incident"("lastObservedAt");

-- CreateIndex
CREATE INDEX "Incident_severity_idx" ON "Incident"("severity");

-- CreateIndex
CREATE INDEX "Incident_terms_idx" ON "Incident" USING GIN ("terms");

-- CreateIndex
CREATE INDEX "Comment_incidentId_createdAt_idx" ON "Comment"("incidentId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_idx" ON "AuditEvent"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_hash_key" ON "AuditEvent"("hash");

-- CreateIndex
CREATE INDEX "Digest_periodFrom_periodTo_idx" ON "Digest"("periodFrom", "periodTo");

-- CreateIndex
CREATE INDEX "Digest_createdAt_idx" ON "Digest"("createdAt");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_observerId_fkey" FOREIGN KEY ("observerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Digest" ADD CONSTRAINT "Digest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
