CREATE TABLE `kept_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`topic_id` integer,
	`forum_id` integer,
	`title` text DEFAULT '' NOT NULL,
	`kind` text,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`forum_id`) REFERENCES `forums`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `kept_drafts_expires_idx` ON `kept_drafts` (`expires_at`);