CREATE TABLE `search_reindex` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`next_post_id` integer NOT NULL,
	`last_post_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `posts_created_idx` ON `posts` (`created_at`);--> statement-breakpoint
CREATE INDEX `topics_forum_id_idx` ON `topics` (`forum_id`,`id`);--> statement-breakpoint
CREATE INDEX `topics_latest_idx` ON `topics` (`last_post_at`,`id`) WHERE state = 'visible' and removed_at is null;--> statement-breakpoint
CREATE INDEX `topics_latest_unanswered_idx` ON `topics` (`last_post_at`,`id`) WHERE kind = 'question' and accepted_post_id is null and state = 'visible' and removed_at is null;