ALTER TABLE `notifications` ADD `mail_checked_at` integer;--> statement-breakpoint
UPDATE `notifications` SET `mail_checked_at` = `created_at`;--> statement-breakpoint
CREATE INDEX `notifications_mail_unchecked_idx` ON `notifications` (`created_at`) WHERE "notifications"."mail_checked_at" is null;--> statement-breakpoint
ALTER TABLE `users` ADD `notification_email_kinds` text;--> statement-breakpoint
ALTER TABLE `users` ADD `digest` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `digest_queued_at` integer;--> statement-breakpoint
CREATE INDEX `users_digest_idx` ON `users` (`digest`) WHERE "users"."digest" != 'off';