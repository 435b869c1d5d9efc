/** Scheduled installations in English: planned, cancelled, a missed window or time, a refusal at its time. */
export const messages: Record<string, string> = {
  'notice.INSTALL_SCHEDULED_NEXT_WINDOW':
    'Installation of {version} planned by {user} in the maintenance window {plannedAt} to {windowEnd}.',
  'notice.INSTALL_SCHEDULED_AT': 'Installation of {version} planned by {user} at {plannedAt}.',
  'notice.INSTALL_SCHEDULE_CANCELLED': 'The planned installation was cancelled by {user}: the job is staged.',
  'notice.INSTALL_WINDOW_MISSED':
    'The maintenance window of {plannedAt} passed while Patchbay was not running (or is no longer set). Patchbay does not install outside a window: the installation is planned for the next one, at {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_NO_WINDOW':
    'The maintenance window of {plannedAt} passed and no maintenance window is set any more: the job is staged again.',
  'notice.INSTALL_TIME_MISSED':
    'The installation time {plannedAt} passed while Patchbay was not running. Patchbay does not install late: the job is staged again and waits for you.',
  'notice.INSTALL_SCHEDULE_REFUSED': 'The planned installation could not start ({code}): the job is staged again.',
};
