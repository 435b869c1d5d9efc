/**
 * When what the licences say next changes with time alone: a term licence ends, an update contract
 * starts or ends, or the contract's days left count down by one. Between two such instants the
 * licence status and the licence blockers stay the same, so they are computed again only there.
 */
import type { LicenceDocument } from './licence.js';

const DAY_MS = 86_400_000;

/** The first instant after `now` at which the status may change; null when none ever will. */
export function nextLicenceChange(licences: LicenceDocument[], now: Date): Date | null {
  const t = now.getTime();
  const instants = licences.flatMap((l) => {
    const ends = l.expiresAt ? [Date.parse(l.expiresAt)] : [];
    if (!l.updateContract) return ends;
    const until = Date.parse(l.updateContract.validUntil);
    // daysLeft is ceil(msLeft / day): it drops by one each time msLeft reaches a whole number of days.
    const nextDayMark = until > t ? until - (Math.ceil((until - t) / DAY_MS) - 1) * DAY_MS : until;
    return [...ends, Date.parse(l.updateContract.validFrom), until, nextDayMark];
  });
  const next = Math.min(...instants.filter((i) => i > t));
  return Number.isFinite(next) ? new Date(next) : null;
}
