CREATE TABLE `licences` (
	`id` text PRIMARY KEY NOT NULL,
	`issued_at` integer NOT NULL,
	`document` text NOT NULL,
	`signature` text NOT NULL,
	`imported_at` integer NOT NULL
);
