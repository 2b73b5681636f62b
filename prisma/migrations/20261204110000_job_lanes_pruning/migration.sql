-- AlterTable
ALTER TABLE `Job` ADD COLUMN `lane` VARCHAR(16) NOT NULL DEFAULT 'slack';

-- Jobs already queued keep running in the lane their kind declares.
UPDATE `Job` SET `lane` = 'provider'
WHERE `status` IN ('PENDING', 'RUNNING')
  AND `kind` IN ('mailbox.provision', 'offboarding.activate', 'offboarding.step', 'offboarding.restore', 'offboarding.delete');
UPDATE `Job` SET `lane` = 'notify'
WHERE `status` IN ('PENDING', 'RUNNING')
  AND `kind` IN ('delivery.email', 'delivery.sms', 'delivery.alert_admins', 'request.notify_contacts');

-- CreateIndex
CREATE INDEX `Job_status_lane_runAt_idx` ON `Job`(`status`, `lane`, `runAt`);

-- CreateIndex
CREATE INDEX `Delivery_status_createdAt_idx` ON `Delivery`(`status`, `createdAt`);

-- CreateIndex
CREATE INDEX `OneTimeSecret_expiresAt_idx` ON `OneTimeSecret`(`expiresAt`);
