/** Scheduled installations in English: planned, cancelled, a missed window or time, a refusal at its time. */
export const messages: Record<string, string> = {
  'notice.INSTALL_SCHEDULED_NEXT_WINDOW':
    'Installation of {version} planned by {user} in the maintenance window {plannedAt} to {windowEnd}.',
  'notice.INSTALL_SCHEDULED_AT': 'Installation of {version} planned by {user} at {plannedAt}.',
  'notice.INSTALL_SCHEDULE_CANCELLED': 'The planned installation was cancelled by {user}: the job is staged.',
  'notice.INSTALL_SCHEDULE_CANCELLED_DOWNLOADING':
    'The planned installation was cancelled by {user}: the download goes on, and the job will be staged.',
  'notice.INSTALL_WINDOW_MISSED':
    'The maintenance window of {plannedAt} passed while Patchbay was not running (or is no longer set). Patchbay does not install outside a window: the installation is planned for the next one, at {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_DOWNLOADING':
    'The download was not finished by the end of the maintenance window {plannedAt} to {windowEnd}. Patchbay does not install outside a window: the installation is planned for the next one, at {nextAt}.',
  'notice.INSTALL_WINDOW_MISSED_NO_WINDOW':
    'The maintenance window of {plannedAt} passed and no maintenance window is set any more: the job is staged again.',
  'notice.INSTALL_TIME_MISSED':
    'The installation time {plannedAt} passed while Patchbay was not running. Patchbay does not install late: the job is staged again and waits for you.',
  'notice.INSTALL_TIME_MISSED_DOWNLOADING':
    'The download was not finished by the installation time {plannedAt}. Patchbay does not install late: the job is staged and waits for you.',
  'notice.INSTALL_SCHEDULE_REFUSED': 'The planned installation could not start ({code}): the job is staged again.',
  'notice.INSTALL_POSTPONED':
    'The calls did not end in time: the installation is postponed to the next maintenance window, {plannedAt} to {windowEnd} (postponement {count} of at most {max}).',
  'notice.INSTALL_POSTPONED_NO_WINDOW':
    'The calls did not end in time and no maintenance window is set any more to postpone the installation to: the job is staged again.',
  'notice.INSTALL_PLANNED_AGAIN_AFTER_RESTART':
    'Patchbay stopped while the installation planned for {plannedAt} was starting or waiting for calls to end. Nothing was changed and calls are accepted again; the installation is planned again and goes on only inside its maintenance window (or within its time’s grace).',
};
