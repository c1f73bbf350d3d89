-- DropIndex
DROP INDEX "Event_createdAt_idx";

-- CreateIndex
CREATE INDEX "Event_createdAt_idx" ON "Event" USING BRIN ("createdAt");
