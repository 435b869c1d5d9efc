CREATE TABLE `downtime_windows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`cause` text NOT NULL,
	`kind` text NOT NULL,
	`job_id` text
);
--> statement-breakpoint
CREATE INDEX `downtime_windows_started_idx` ON `downtime_windows` (`started_at`);--> statement-breakpoint
CREATE TABLE `update_job_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`step` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`outcome` text NOT NULL,
	`message` text,
	FOREIGN KEY (`job_id`) REFERENCES `update_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `update_job_steps_job_idx` ON `update_job_steps` (`job_id`,`id`);--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `step` text;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `restored` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `from_version` text;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `backup_id` text;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `source_backup_id` text;