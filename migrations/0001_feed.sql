CREATE TABLE `connectivity_results` (
	`url` text PRIMARY KEY NOT NULL,
	`result` text NOT NULL,
	`checked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `update_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`error_details` text,
	`versions_found` integer
);
--> statement-breakpoint
CREATE INDEX `update_checks_started_idx` ON `update_checks` (`started_at`);--> statement-breakpoint
CREATE TABLE `verified_catalog` (
	`id` integer PRIMARY KEY NOT NULL,
	`catalog` text NOT NULL,
	`targets` text NOT NULL,
	`verified_at` integer NOT NULL,
	CONSTRAINT "verified_catalog_single_row" CHECK("verified_catalog"."id" = 1)
);
