-- Classifier models retrained from the commission's corrections, each with the held-out scores it was judged on.

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "agreementId" VARCHAR(64) NOT NULL,
    "version" VARCHAR(80) NOT NULL,
    "weights" BYTEA NOT NULL,
    "corrections" INTEGER NOT NULL,
    "heldOut" INTEGER NOT NULL,
    "metrics" JSONB NOT NULL,
    "promoted" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "promotedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModelVersion_agreementId_promoted_promotedAt_idx" ON "ModelVersion"("agreementId", "promoted", "promotedAt" DESC);
