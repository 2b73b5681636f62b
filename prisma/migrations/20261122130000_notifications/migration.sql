-- CreateTable
CREATE TABLE `Delivery` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `channel` ENUM('SMS', 'EMAIL') NOT NULL,
    `recipient` VARCHAR(320) NOT NULL,
    `template` VARCHAR(64) NOT NULL,
    `status` ENUM('PENDING', 'SENT', 'FAILED', 'SKIPPED', 'LOGGED') NOT NULL DEFAULT 'PENDING',
    `providerId` VARCHAR(255) NULL,
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `lastError` TEXT NULL,
    `dedupeKey` VARCHAR(191) NOT NULL,
    `requestId` INTEGER NULL,
    `sentAt` DATETIME(3) NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updatedAt` DATETIME(3) NOT NULL,

    UNIQUE INDEX `Delivery_dedupeKey_key`(`dedupeKey`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `OneTimeSecret` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `tokenHash` VARCHAR(64) NOT NULL,
    `ciphertext` TEXT NULL,
    `expiresAt` DATETIME(3) NOT NULL,
    `revealedAt` DATETIME(3) NULL,
    `requestId` INTEGER NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `OneTimeSecret_tokenHash_key`(`tokenHash`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `Delivery` ADD CONSTRAINT `Delivery_requestId_fkey` FOREIGN KEY (`requestId`) REFERENCES `EmailRequest`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `OneTimeSecret` ADD CONSTRAINT `OneTimeSecret_requestId_fkey` FOREIGN KEY (`requestId`) REFERENCES `EmailRequest`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;
