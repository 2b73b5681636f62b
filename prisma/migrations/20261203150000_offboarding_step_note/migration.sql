-- AlterTable
ALTER TABLE `OffboardingStep` ADD COLUMN `note` TEXT NULL;
