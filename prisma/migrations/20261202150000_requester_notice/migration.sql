-- AlterTable
ALTER TABLE `EmailRequest` ADD COLUMN `noticeChannelId` VARCHAR(32) NULL,
    ADD COLUMN `noticeTs` VARCHAR(32) NULL;
