CREATE TABLE `pending_signups` (
	`id` text PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`claims` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `fresh_auth_at` integer;