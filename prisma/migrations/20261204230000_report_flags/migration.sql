-- Field data is accepted even when a reviewer must look at it first: what was doubtful, reported and inferred.

-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "flags" JSONB NOT NULL DEFAULT '[]';
