-- AlterTable
ALTER TABLE `Offboarding` ADD COLUMN `kind` ENUM('OFFBOARDING', 'LEAVER_HOLD') NOT NULL DEFAULT 'OFFBOARDING';

-- CreateTable
CREATE TABLE `LeaverAlert` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `slackUserId` VARCHAR(32) NOT NULL,
    `mailboxId` INTEGER NOT NULL,
    `address` VARCHAR(320) NOT NULL,
    `leaverName` VARCHAR(200) NOT NULL,
    `deactivatedAt` DATETIME(3) NOT NULL,
    `detectedBy` VARCHAR(16) NOT NULL,
    `round` INTEGER NOT NULL DEFAULT 1,
    `status` ENUM('OPEN', 'HANDLED', 'DISMISSED', 'WITHDRAWN') NOT NULL DEFAULT 'OPEN',
    `holdOffboardingId` INTEGER NULL,
    `offboardingId` INTEGER NULL,
    `decidedById` VARCHAR(32) NULL,
    `decidedAt` DATETIME(3) NULL,
    `reason` TEXT NULL,
    `reactivatedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL,

    INDEX `LeaverAlert_mailboxId_idx`(`mailboxId`),
    INDEX `LeaverAlert_holdOffboardingId_idx`(`holdOffboardingId`),
    UNIQUE INDEX `LeaverAlert_slackUserId_mailboxId_key`(`slackUserId`, `mailboxId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `LeaverAlertMessage` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `alertId` INTEGER NOT NULL,
    `round` INTEGER NOT NULL,
    `userId` VARCHAR(32) NOT NULL,
    `channelId` VARCHAR(32) NOT NULL,
    `ts` VARCHAR(32) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `LeaverAlertMessage_alertId_round_userId_key`(`alertId`, `round`, `userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `LeaverAlert` ADD CONSTRAINT `LeaverAlert_mailboxId_fkey` FOREIGN KEY (`mailboxId`) REFERENCES `Mailbox`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `LeaverAlertMessage` ADD CONSTRAINT `LeaverAlertMessage_alertId_fkey` FOREIGN KEY (`alertId`) REFERENCES `LeaverAlert`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
