-- SMS intake: observers' phone numbers, reports filed by SMS, and every inbound text kept (held ones for an admin).

-- AlterEnum
ALTER TYPE "ReportSource" ADD VALUE 'sms';

-- CreateEnum
CREATE TYPE "SmsStatus" AS ENUM ('received', 'accepted', 'unknown_sender', 'malformed', 'rejected', 'dismissed');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "phone" VARCHAR(16);

-- CreateTable
CREATE TABLE "SmsMessage" (
    "id" UUID NOT NULL,
    "receiptCode" VARCHAR(16) NOT NULL,
    "dedupKey" VARCHAR(100),
    "gateway" VARCHAR(16) NOT NULL,
    "sender" VARCHAR(64) NOT NULL,
    "phone" VARCHAR(64) NOT NULL,
    "text" TEXT NOT NULL,
    "sentAt" TIMESTAMPTZ(3),
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "status" "SmsStatus" NOT NULL DEFAULT 'received',
    "reason" TEXT,
    "observerId" UUID,
    "reportId" UUID,
    "handledAt" TIMESTAMPTZ(3),

    CONSTRAINT "SmsMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_phone_key" ON "User"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "SmsMessage_receiptCode_key" ON "SmsMessage"("receiptCode");

-- CreateIndex
CREATE UNIQUE INDEX "SmsMessage_dedupKey_key" ON "SmsMessage"("dedupKey");

-- CreateIndex
CREATE INDEX "SmsMessage_status_receivedAt_idx" ON "SmsMessage"("status", "receivedAt");

-- CreateIndex
CREATE INDEX "SmsMessage_receivedAt_id_idx" ON "SmsMessage"("receivedAt", "id");

-- CreateIndex
CREATE INDEX "SmsMessage_reportId_idx" ON "SmsMessage"("reportId");

-- AddForeignKey
ALTER TABLE "SmsMessage" ADD CONSTRAINT "SmsMessage_observerId_fkey" FOREIGN KEY ("observerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmsMessage" ADD CONSTRAINT "SmsMessage_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "Report"("id") ON DELETE SET NULL ON UPDATE CASCADE;
