-- CreateTable
CREATE TABLE `Offboarding` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `mailboxId` INTEGER NOT NULL,
    `address` VARCHAR(320) NOT NULL,
    `openAddress` VARCHAR(320) NULL,
    `initiatedById` VARCHAR(32) NOT NULL,
    `leaverName` VARCHAR(200) NOT NULL,
    `forwardTo` VARCHAR(254) NOT NULL,
    `autoReplySubject` VARCHAR(200) NOT NULL,
    `autoReplyBody` TEXT NOT NULL,
    `lastDay` DATE NOT NULL,
    `runAt` DATETIME(3) NOT NULL,
    `deleteAfter` DATETIME(3) NOT NULL,
    `retentionDays` INTEGER NOT NULL,
    `suspendLogin` BOOLEAN NOT NULL DEFAULT true,
    `removeOwnForwarders` BOOLEAN NOT NULL DEFAULT true,
    `priorState` JSON NULL,
    `status` ENUM('SCHEDULED', 'ACTIVE', 'AWAITING_CONFIRMATION', 'DELETING', 'DELETED', 'CANCELLING', 'CANCELLED') NOT NULL DEFAULT 'SCHEDULED',
    `statusChannelId` VARCHAR(32) NULL,
    `statusTs` VARCHAR(32) NULL,
    `confirmationAskedAt` DATETIME(3) NULL,
    `remindedAt` DATETIME(3) NULL,
    `reminderCount` INTEGER NOT NULL DEFAULT 0,
    `decidedById` VARCHAR(32) NULL,
    `decidedAt` DATETIME(3) NULL,
    `cancelledById` VARCHAR(32) NULL,
    `completedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,
    `version` INTEGER NOT NULL DEFAULT 0,

    UNIQUE INDEX `Offboarding_openAddress_key`(`openAddress`),
    INDEX `Offboarding_status_deleteAfter_idx`(`status`, `deleteAfter`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `OffboardingStep` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `offboardingId` INTEGER NOT NULL,
    `kind` VARCHAR(32) NOT NULL,
    `status` ENUM('PENDING', 'DONE', 'FAILED', 'SKIPPED') NOT NULL DEFAULT 'PENDING',
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `lastError` TEXT NULL,
    `doneAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `OffboardingStep_offboardingId_kind_key`(`offboardingId`, `kind`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `OffboardingMessage` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `offboardingId` INTEGER NOT NULL,
    `userId` VARCHAR(32) NOT NULL,
    `round` INTEGER NOT NULL,
    `channelId` VARCHAR(32) NOT NULL,
    `ts` VARCHAR(32) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `OffboardingMessage_offboardingId_userId_round_key`(`offboardingId`, `userId`, `round`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Lease` (
    `name` VARCHAR(64) NOT NULL,
    `holder` VARCHAR(128) NOT NULL,
    `expiresAt` DATETIME(3) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL,

    PRIMARY KEY (`name`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Offboarding` ADD CONSTRAINT `Offboarding_mailboxId_fkey` FOREIGN KEY (`mailboxId`) REFERENCES `Mailbox`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `OffboardingStep` ADD CONSTRAINT `OffboardingStep_offboardingId_fkey` FOREIGN KEY (`offboardingId`) REFERENCES `Offboarding`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `OffboardingMessage` ADD CONSTRAINT `OffboardingMessage_offboardingId_fkey` FOREIGN KEY (`offboardingId`) REFERENCES `Offboarding`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
