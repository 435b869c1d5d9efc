ALTER TABLE `update_job_events` ADD `detail` text;--> statement-breakpoint
ALTER TABLE `update_job_steps` ADD `detail` text;--> statement-breakpoint
ALTER TABLE `update_jobs` ADD `error_params` text;