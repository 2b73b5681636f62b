-- AlterTable
ALTER TABLE `OneTimeSecret` ADD COLUMN `resetId` INTEGER NULL,
    ADD COLUMN `address` VARCHAR(320) NULL;

-- CreateTable
CREATE TABLE `PasswordReset` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `mailboxId` INTEGER NOT NULL,
    `address` VARCHAR(320) NOT NULL,
    `openMailboxId` INTEGER NULL,
    `requesterId` VARCHAR(32) NOT NULL,
    `ownerSlackId` VARCHAR(32) NULL,
    `approverIds` JSON NOT NULL,
    `status` ENUM('PENDING_APPROVAL', 'APPROVED', 'CHANGING', 'DONE', 'REJECTED', 'FAILED') NOT NULL,
    `decidedById` VARCHAR(32) NULL,
    `decidedAt` DATETIME(3) NULL,
    `secretCipher` TEXT NULL,
    `failureReason` TEXT NULL,
    `completedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL,
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `PasswordReset_openMailboxId_key`(`openMailboxId`),
    INDEX `PasswordReset_mailboxId_createdAt_idx`(`mailboxId`, `createdAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `PasswordResetMessage` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `resetId` INTEGER NOT NULL,
    `userId` VARCHAR(32) NOT NULL,
    `channelId` VARCHAR(32) NOT NULL,
    `ts` VARCHAR(32) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `PasswordResetMessage_resetId_userId_key`(`resetId`, `userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateIndex
CREATE INDEX `OneTimeSecret_address_idx` ON `OneTimeSecret`(`address`);

-- AddForeignKey
ALTER TABLE `OneTimeSecret` ADD CONSTRAINT `OneTimeSecret_resetId_fkey` FOREIGN KEY (`resetId`) REFERENCES `PasswordReset`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `PasswordReset` ADD CONSTRAINT `PasswordReset_mailboxId_fkey` FOREIGN KEY (`mailboxId`) REFERENCES `Mailbox`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `PasswordResetMessage` ADD CONSTRAINT `PasswordResetMessage_resetId_fkey` FOREIGN KEY (`resetId`) REFERENCES `PasswordReset`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
