-- CreateTable
CREATE TABLE `Staff` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `slackUserId` VARCHAR(32) NULL,
    `fullName` VARCHAR(200) NOT NULL,
    `workEmail` VARCHAR(254) NULL,
    `personalEmail` VARCHAR(254) NULL,
    `phone` VARCHAR(20) NULL,
    `superiorSlackId` VARCHAR(32) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Staff_slackUserId_key`(`slackUserId`),
    UNIQUE INDEX `Staff_workEmail_key`(`workEmail`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `EmailRequest` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `requesterId` VARCHAR(32) NOT NULL,
    `superiorId` VARCHAR(32) NOT NULL,
    `approverIds` JSON NOT NULL,
    `routedToAdmins` BOOLEAN NOT NULL DEFAULT false,
    `fullName` VARCHAR(200) NOT NULL,
    `localPart` VARCHAR(64) NOT NULL,
    `domain` VARCHAR(253) NOT NULL,
    `address` VARCHAR(320) NOT NULL,
    `openAddress` VARCHAR(320) NULL,
    `personalEmail` VARCHAR(254) NOT NULL,
    `phone` VARCHAR(20) NOT NULL,
    `startDate` DATE NULL,
    `note` TEXT NULL,
    `status` ENUM('PENDING_APPROVAL', 'APPROVED', 'PROVISIONING', 'ACTIVE', 'FAILED', 'REJECTED', 'CANCELLED', 'EXPIRED') NOT NULL DEFAULT 'PENDING_APPROVAL',
    `decidedById` VARCHAR(32) NULL,
    `decidedAt` DATETIME(3) NULL,
    `decisionReason` TEXT NULL,
    `failureReason` TEXT NULL,
    `secretCipher` TEXT NULL,
    `provisionedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,
    `version` INTEGER NOT NULL DEFAULT 0,

    UNIQUE INDEX `EmailRequest_openAddress_key`(`openAddress`),
    INDEX `EmailRequest_status_idx`(`status`),
    INDEX `EmailRequest_requesterId_idx`(`requesterId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `ApprovalMessage` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `requestId` INTEGER NOT NULL,
    `userId` VARCHAR(32) NOT NULL,
    `channelId` VARCHAR(32) NOT NULL,
    `ts` VARCHAR(32) NOT NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `ApprovalMessage_requestId_userId_key`(`requestId`, `userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Mailbox` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `address` VARCHAR(320) NOT NULL,
    `localPart` VARCHAR(64) NOT NULL,
    `domain` VARCHAR(253) NOT NULL,
    `provider` VARCHAR(32) NOT NULL,
    `status` ENUM('ACTIVE', 'OFFBOARDING', 'DELETED') NOT NULL DEFAULT 'ACTIVE',
    `quotaMb` INTEGER NOT NULL,
    `requestId` INTEGER NULL,
    `staffId` INTEGER NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Mailbox_address_key`(`address`),
    UNIQUE INDEX `Mailbox_requestId_key`(`requestId`),
    INDEX `Mailbox_domain_idx`(`domain`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `Job` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `kind` VARCHAR(64) NOT NULL,
    `payload` JSON NOT NULL,
    `status` ENUM('PENDING', 'RUNNING', 'DONE', 'DEAD') NOT NULL DEFAULT 'PENDING',
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `maxAttempts` INTEGER NOT NULL,
    `runAt` DATETIME(3) NOT NULL,
    `lockedAt` DATETIME(3) NULL,
    `lockedBy` VARCHAR(128) NULL,
    `lastError` TEXT NULL,
    `dedupeKey` VARCHAR(191) NULL,
    `requestId` INTEGER NULL,
    `finishedAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Job_dedupeKey_key`(`dedupeKey`),
    INDEX `Job_status_runAt_idx`(`status`, `runAt`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `AuditEvent` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `actor` VARCHAR(64) NOT NULL,
    `action` VARCHAR(64) NOT NULL,
    `subject` VARCHAR(191) NOT NULL,
    `outcome` VARCHAR(32) NOT NULL,
    `details` JSON NULL,

    INDEX `AuditEvent_subject_idx`(`subject`),
    INDEX `AuditEvent_at_idx`(`at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `ApprovalMessage` ADD CONSTRAINT `ApprovalMessage_requestId_fkey` FOREIGN KEY (`requestId`) REFERENCES `EmailRequest`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `Mailbox` ADD CONSTRAINT `Mailbox_requestId_fkey` FOREIGN KEY (`requestId`) REFERENCES `EmailRequest`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `Mailbox` ADD CONSTRAINT `Mailbox_staffId_fkey` FOREIGN KEY (`staffId`) REFERENCES `Staff`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `Job` ADD CONSTRAINT `Job_requestId_fkey` FOREIGN KEY (`requestId`) REFERENCES `EmailRequest`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;
