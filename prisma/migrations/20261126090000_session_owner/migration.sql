-- Browser sessions know whose they are, from where and which browser, so a person can list and end them and an
-- admin's disabling of an account ends its sessions. Sessions from before this migration have no owner and sign
-- nobody in: everyone signs in again once.

-- AlterTable
ALTER TABLE "session" ADD COLUMN     "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "ip" VARCHAR(64),
ADD COLUMN     "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "userAgent" VARCHAR(300),
ADD COLUMN     "userId" UUID;

-- CreateIndex
CREATE INDEX "session_userId_idx" ON "session"("userId");

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
