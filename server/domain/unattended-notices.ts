/**
 * What the unattended policy did after an update check, as the notice the SPA words and its
 * English message for logs and integrators. The last one is kept with the policy and shown next to
 * it: why nothing was downloaded (a release waits for the admin's acknowledgement, nothing is
 * newer, a job is already active…) or what was started. Pure.
 */
import { type Notice, notice, text, version } from './notice.js';
import type { UnattendedKind } from './unattended.js';

/** Every code below: the SPA has words for each (a test checks it). */
export const UNATTENDED_NOTICE_CODES = [
  'UNATTENDED_DOWNLOAD_STARTED',
  'UNATTENDED_INSTALL_PLANNED',
  'UNATTENDED_NOTHING_NEWER',
  'UNATTENDED_BLOCKED',
  'UNATTENDED_NEEDS_ACKNOWLEDGEMENT',
  'UNATTENDED_JOB_ACTIVE',
  'UNATTENDED_NO_WINDOW',
  'UNATTENDED_REFUSED',
  'UNATTENDED_DOWNLOAD_ENDED',
] as const;
export type UnattendedNoticeCode = (typeof UNATTENDED_NOTICE_CODES)[number];

export interface UnattendedSaid {
  message: string;
  detail: Notice<UnattendedNoticeCode>;
}

function said(code: UnattendedNoticeCode, params: Parameters<typeof notice>[1], message: string): UnattendedSaid {
  return { message, detail: notice(code, params) };
}

export const unattendedNotices = {
  downloadStarted(step: string, toward: string): UnattendedSaid {
    return said(
      'UNATTENDED_DOWNLOAD_STARTED',
      { version: version(step), toward: version(toward) },
      step === toward
        ? `Downloading ${step}; it will be installed in the next maintenance window.`
        : `Downloading ${step}, a required stop on the way to ${toward}; it will be installed in the next maintenance window.`,
    );
  },
  installPlanned(step: string, plannedAt: Date): UnattendedSaid {
    return said(
      'UNATTENDED_INSTALL_PLANNED',
      { version: version(step), plannedAt: text(plannedAt.toISOString()) },
      `${step} is downloaded and planned for the maintenance window at ${plannedAt.toISOString()}.`,
    );
  },
  nothingNewer(kind: UnattendedKind): UnattendedSaid {
    return said('UNATTENDED_NOTHING_NEWER', { kind: text(kind) }, `No newer release of the kind ${kind}: nothing to do.`);
  },
  blocked(target: string, blockers: string[]): UnattendedSaid {
    return said(
      'UNATTENDED_BLOCKED',
      { version: version(target), blockers: text(blockers.join(', ')) },
      `${target} cannot be installed now (${blockers.join(', ')}): nothing downloaded.`,
    );
  },
  needsAcknowledgement(target: string, modules: string[]): UnattendedSaid {
    return said(
      'UNATTENDED_NEEDS_ACKNOWLEDGEMENT',
      { version: version(target), modules: text(modules.join(', ')) },
      `${target} has module warnings to acknowledge (${modules.join(', ')}): it waits for you and is not installed automatically.`,
    );
  },
  jobActive(jobId: string, target: string): UnattendedSaid {
    return said(
      'UNATTENDED_JOB_ACTIVE',
      { jobId: text(jobId), version: version(target) },
      `Job ${jobId} (${target}) is already under way: nothing new started.`,
    );
  },
  noWindow(): UnattendedSaid {
    return said('UNATTENDED_NO_WINDOW', {}, 'No maintenance window is set: nothing downloaded or planned.');
  },
  refused(target: string, code: string, message: string): UnattendedSaid {
    return said('UNATTENDED_REFUSED', { version: version(target), code: text(code) }, `${target} was not started: ${message}`);
  },
  downloadEnded(target: string, state: string): UnattendedSaid {
    return said(
      'UNATTENDED_DOWNLOAD_ENDED',
      { version: version(target), state: text(state) },
      `The download of ${target} ended ${state}: nothing planned.`,
    );
  },
};
