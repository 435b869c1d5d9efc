/** What the unattended policy did after the last update check, in English. */
export const messages: Record<string, string> = {
  'notice.UNATTENDED_DOWNLOAD_STARTED':
    'Downloading {version} (on the way to {toward}); it will be installed in the next maintenance window.',
  'notice.UNATTENDED_INSTALL_PLANNED': '{version} is downloaded and planned for the maintenance window at {plannedAt}.',
  'notice.UNATTENDED_NOTHING_NEWER': 'No newer release of the chosen kind: nothing to do.',
  'notice.UNATTENDED_BLOCKED': '{version} cannot be installed now ({blockers}): nothing was downloaded.',
  'notice.UNATTENDED_NEEDS_ACKNOWLEDGEMENT':
    '{version} has module warnings to acknowledge ({modules}): it waits for you and is not installed automatically.',
  'notice.UNATTENDED_JOB_ACTIVE': 'A job for {version} is already under way: nothing new was started.',
  'notice.UNATTENDED_NO_WINDOW': 'No maintenance window is set: nothing was downloaded or planned.',
  'notice.UNATTENDED_REFUSED': '{version} was not started ({code}).',
  'notice.UNATTENDED_DOWNLOAD_ENDED': 'The download of {version} did not finish: nothing was planned.',
};
