ALTER TABLE `topics` ADD `state` text DEFAULT 'visible' NOT NULL;--> statement-breakpoint
CREATE INDEX `topics_forum_unanswered_idx` ON `topics` (`forum_id`,`pinned`,`last_post_at`,`id`) WHERE kind = 'question' and accepted_post_id is null and removed_at is null;--> statement-breakpoint
CREATE INDEX `topics_forum_answered_idx` ON `topics` (`forum_id`,`pinned`,`last_post_at`,`id`) WHERE kind = 'question' and accepted_post_id is not null and removed_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX `reports_open_unique` ON `reports` (`post_id`,`reporter_id`) WHERE status = 'open';