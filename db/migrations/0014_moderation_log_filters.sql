DROP INDEX `moderation_log_moderator_idx`;--> statement-breakpoint
CREATE INDEX `moderation_log_action_idx` ON `moderation_log` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `moderation_log_moderator_idx` ON `moderation_log` (`moderator_id`,`id`);