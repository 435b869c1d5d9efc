import { describe, expect, it } from 'vitest';
import { contractStatus, licencesInForce } from '../../server/domain/licence.js';
import { licence } from '../helpers/licence-document.js';
import { nextLicenceChange } from '../../server/domain/licence-boundaries.js';

const at = (iso: string) => new Date(iso);
const sut = nextLicenceChange;

describe('nextLicenceChange', () => {
  it('is never for a perpetual licence whose contract has ended', () => {
    expect(sut([licence()], at('2026-11-24T12:00:00Z'))).toBeNull();
  });

  it('is never without licences', () => {
    expect(sut([], at('2026-11-24T12:00:00Z'))).toBeNull();
  });

  it('is the next instant the days left of the contract drop by one', () => {
    expect(sut([licence()], at('2026-09-20T12:00:00Z'))).toEqual(at('2026-09-21T00:00:00Z'));
    expect(sut([licence()], at('2026-09-21T00:00:00Z'))).toEqual(at('2026-09-22T00:00:00Z'));
  });

  it('is the end of the contract on its last day', () => {
    expect(sut([licence()], at('2026-09-30T18:00:00Z'))).toEqual(at('2026-10-01T00:00:00Z'));
  });

  it('is the start of a contract that has not begun, before any day mark of it', () => {
    const future = licence({ updateContract: { validFrom: '2027-01-01T00:00:00Z', validUntil: '2028-01-01T00:00:00Z' } });
    expect(sut([future], at('2026-12-31T20:00:00Z'))).toEqual(at('2027-01-01T00:00:00Z'));
  });

  it('is the end of a term licence when that comes first', () => {
    const term = licence({ id: 'LIC-2', updateContract: undefined, expiresAt: '2026-09-20T15:30:00Z' });
    expect(sut([licence(), term], at('2026-09-20T12:00:00Z'))).toEqual(at('2026-09-20T15:30:00Z'));
  });

  it('leaves the status unchanged until the instant it names, and changed at it', () => {
    const licences = [licence(), licence({ id: 'LIC-2', expiresAt: '2026-09-20T15:30:00Z', maxMajor: 9 })];
    let now = at('2026-09-18T07:13:00Z');
    for (let i = 0; i < 6; i++) {
      const next = sut(licences, now)!;
      const justBefore = new Date(next.getTime() - 1);
      const state = (t: Date) => JSON.stringify([contractStatus(licences, t), licencesInForce(licences, t)]);
      expect(state(justBefore)).toBe(state(now));
      expect(state(next)).not.toBe(state(now));
      now = next;
    }
  });
});
