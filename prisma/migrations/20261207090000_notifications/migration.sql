-- Notifications: a commission member's inbox (assignments, severe incidents, observers' answers), and the account's
-- email address, email choice and language for notices sent by email.

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "email" VARCHAR(254),
ADD COLUMN     "emailNotifications" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "language" VARCHAR(2);

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('assigned', 'severe', 'answered', 'added');

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "recipientId" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "incidentId" UUID NOT NULL,
    "severity" INTEGER NOT NULL,
    "actorId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMPTZ(3),
    "emailedAt" TIMESTAMPTZ(3),
    "emailError" VARCHAR(500),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Notification_recipientId_createdAt_id_idx" ON "Notification"("recipientId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Notification_incidentId_idx" ON "Notification"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_unread_key" ON "Notification"("recipientId", "incidentId", "kind") WHERE ("readAt" IS NULL);

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_recipientId_fkey" FOREIGN KEY ("recipientId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
