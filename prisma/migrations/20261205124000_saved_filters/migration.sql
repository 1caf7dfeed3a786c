-- Saved filters: a commission member's named filters of the incident queue and of the reports table, kept per account.

-- CreateEnum
CREATE TYPE "SavedFilterView" AS ENUM ('queue', 'reports');

-- CreateTable
CREATE TABLE "SavedFilter" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ownerId" UUID NOT NULL,
    "view" "SavedFilterView" NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "query" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedFilter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedFilter_ownerId_view_name_key" ON "SavedFilter"("ownerId", "view", "name");

-- AddForeignKey
ALTER TABLE "SavedFilter" ADD CONSTRAINT "SavedFilter_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
