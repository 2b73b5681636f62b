-- AlterTable
ALTER TABLE `EmailRequest` ADD COLUMN `remindedAt` DATETIME(3) NULL,
    ADD COLUMN `reminderCount` INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN `escalatedAt` DATETIME(3) NULL;
