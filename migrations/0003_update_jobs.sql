CREATE TABLE `update_job_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `update_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `update_job_events_job_idx` ON `update_job_events` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `update_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`mode` text NOT NULL,
	`target_version` text NOT NULL,
	`modules` text NOT NULL,
	`acknowledged_warnings` integer NOT NULL,
	`state` text NOT NULL,
	`active_slot` integer,
	`start_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`bytes_done` integer NOT NULL,
	`bytes_total` integer NOT NULL,
	`error_code` text,
	`error_message` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `update_jobs_active_slot_unique` ON `update_jobs` (`active_slot`);