-- A setup code an admin hands out works only if first used before claimBy.

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "claimBy" TIMESTAMPTZ(3),
ADD COLUMN     "claimedAt" TIMESTAMPTZ(3);
