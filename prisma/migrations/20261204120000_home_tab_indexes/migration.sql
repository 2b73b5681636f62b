-- The Home tab lists a person's requests and the pending ones newest first: index the sort, so the
-- first 10 rows are read in order instead of sorting all of a requester's history.
CREATE INDEX `EmailRequest_status_createdAt_id_idx` ON `EmailRequest`(`status`, `createdAt`, `id`);
CREATE INDEX `EmailRequest_requesterId_createdAt_id_idx` ON `EmailRequest`(`requesterId`, `createdAt`, `id`);
DROP INDEX `EmailRequest_status_idx` ON `EmailRequest`;
DROP INDEX `EmailRequest_requesterId_idx` ON `EmailRequest`;
