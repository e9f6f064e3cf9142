CREATE TABLE `mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text DEFAULT (lower(hex(randomblob(16)))) NOT NULL,
	`kind` text NOT NULL,
	`user_id` integer NOT NULL,
	`to_address` text,
	`payload` text,
	`mailing_id` integer,
	`urgent` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`due_at` integer NOT NULL,
	`lease_until` integer,
	`last_attempt_at` integer,
	`last_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mailing_id`) REFERENCES `mailings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_key_unique` ON `mail_outbox` (`key`);--> statement-breakpoint
CREATE INDEX `mail_outbox_due_idx` ON `mail_outbox` (`status`,"urgent" desc,`due_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_user_idx` ON `mail_outbox` (`user_id`);--> statement-breakpoint
CREATE INDEX `mail_outbox_attempt_idx` ON `mail_outbox` (`last_attempt_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_finished_idx` ON `mail_outbox` (`finished_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_mailing_user_unique` ON `mail_outbox` (`mailing_id`,`user_id`) WHERE mailing_id is not null;--> statement-breakpoint
CREATE INDEX `mail_outbox_mailing_status_idx` ON `mail_outbox` (`mailing_id`,`status`);--> statement-breakpoint
CREATE TABLE `mailings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`policy_version` text,
	`topic_id` integer,
	`created_by_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailings_policy_version_unique` ON `mailings` (`policy_version`);--> statement-breakpoint
CREATE UNIQUE INDEX `mailings_topic_id_unique` ON `mailings` (`topic_id`);--> statement-breakpoint
CREATE TABLE `password_resets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `password_resets_user_idx` ON `password_resets` (`user_id`);--> statement-breakpoint
ALTER TABLE `forums` ADD `announcements` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `email_confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `email_failed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `email_failure` text;--> statement-breakpoint
ALTER TABLE `users` ADD `optional_email_off` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `policy_version_mailed` text;