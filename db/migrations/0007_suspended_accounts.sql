CREATE TABLE `suspended_accounts` (
	`hash` text PRIMARY KEY NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `suspended_accounts_until_idx` ON `suspended_accounts` (`until`);--> statement-breakpoint
ALTER TABLE `moderation_log` ADD `target_deleted` integer DEFAULT false NOT NULL;