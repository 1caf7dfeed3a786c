-- Perceptual hashes of image attachments: near-identical photos across reports are a dedup signal.

-- AlterTable
ALTER TABLE "Attachment" ADD COLUMN "phash" VARCHAR(16);
