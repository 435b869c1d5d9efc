import { describe, expect, it } from 'vitest';
import { contractActiveAt, contractStatus, licenceBlockers, type LicenceDocument } from '../../server/domain/licence.js';
import { licence } from '../helpers/licence-document.js';

const release = (version: string, releasedAt: string) => ({ version, releasedAt, requiresLicenceMajor: Number(version.split('.')[0]) });
const now = new Date('2026-11-24T12:00:00Z');
const codes = (r: ReturnType<typeof release>, ls: LicenceDocument[], at = now) => licenceBlockers(r, ls, at).map((b) => b.code);

describe('licenceBlockers', () => {
  it.each([
    ['covered: released inside the contract, major licensed', release('8.2.0', '2026-08-20T08:00:00Z'), [licence()], []],
    ['NO_LICENCE without any licence', release('8.2.0', '2026-08-20T08:00:00Z'), [], ['NO_LICENCE']],
    [
      'CONTRACT_MISSING for a licence without contract',
      release('8.2.0', '2026-08-20T08:00:00Z'),
      [licence({ updateContract: undefined })],
      ['CONTRACT_MISSING'],
    ],
    ['MAJOR_NOT_LICENSED one major above', release('9.0.0', '2026-08-20T08:00:00Z'), [licence()], ['MAJOR_NOT_LICENSED']],
    [
      'MAJOR_NOT_LICENSED for a pre-release of the next major',
      release('9.0.0-beta.1', '2026-08-20T08:00:00Z'),
      [licence()],
      ['MAJOR_NOT_LICENSED'],
    ],
    [
      'both for a new major released after the contract',
      release('9.0.0', '2026-10-15T08:00:00Z'),
      [licence()],
      ['MAJOR_NOT_LICENSED', 'CONTRACT_EXPIRED'],
    ],
    [
      'the highest major of several licences counts',
      release('9.0.0', '2026-08-20T08:00:00Z'),
      [licence(), licence({ id: 'LIC-2', maxMajor: 9 })],
      [],
    ],
    [
      'CONTRACT_MISSING for a release before the contract started',
      release('8.0.0', '2025-09-30T23:59:59Z'),
      [licence()],
      ['CONTRACT_MISSING'],
    ],
    [
      'a term licence past its end counts as none',
      release('8.2.0', '2026-08-20T08:00:00Z'),
      [licence({ expiresAt: '2026-11-01T00:00:00Z' })],
      ['NO_LICENCE'],
    ],
  ])('%s', (_name, r, ls, expected) => {
    expect(codes(r, ls)).toEqual(expected);
  });

  describe('contract boundaries', () => {
    it.each([
      ['the first instant of the contract', '2025-10-01T00:00:00Z', []],
      ['one millisecond before it', '2025-09-30T23:59:59.999Z', ['CONTRACT_MISSING']],
      ['the last instant inside', '2026-09-30T23:59:59.999Z', []],
      ['the end instant itself', '2026-10-01T00:00:00Z', ['CONTRACT_EXPIRED']],
      ['the end instant written in another time zone', '2026-10-01T02:00:00+02:00', ['CONTRACT_EXPIRED']],
      ['an instant before the end, written in another zone', '2026-10-01T01:59:59+02:00', []],
      ['a late-evening release west of UTC that is already past the end in UTC', '2026-09-30T20:30:00-04:00', ['CONTRACT_EXPIRED']],
    ])('a release at %s', (_name, releasedAt, expected) => {
      expect(codes(release('8.2.0', releasedAt), [licence()])).toEqual(expected);
    });
  });

  it('says what would lift each blocker', () => {
    for (const b of licenceBlockers(release('9.0.0', '2026-10-15T08:00:00Z'), [licence()], now)) expect(b.message).toMatch(/Import|Renew/);
  });
});

describe('contractActiveAt', () => {
  const contract = { validFrom: '2026-01-01T00:00:00+01:00', validUntil: '2027-01-01T00:00:00+01:00' };
  it('compares instants, not local dates', () => {
    expect(contractActiveAt(contract, new Date('2025-12-31T23:00:00Z'))).toBe(true);
    expect(contractActiveAt(contract, new Date('2025-12-31T22:59:59Z'))).toBe(false);
    expect(contractActiveAt(contract, new Date('2026-12-31T22:59:59Z'))).toBe(true);
    expect(contractActiveAt(contract, new Date('2026-12-31T23:00:00Z'))).toBe(false);
  });
});

describe('contractStatus', () => {
  it('warns when the contract ends within 30 days', () => {
    const s = contractStatus([licence({ updateContract: { validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-12-24T12:00:00Z' } })], now);
    expect(s).toMatchObject({ active: true, daysLeft: 30, warnings: [{ code: 'CONTRACT_ENDING' }] });
  });

  it('does not warn 31 days ahead', () => {
    const s = contractStatus([licence({ updateContract: { validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-12-25T12:00:01Z' } })], now);
    expect(s).toMatchObject({ active: true, daysLeft: 32, warnings: [] });
  });

  it('says when the contract has ended', () => {
    expect(contractStatus([licence()], now)).toMatchObject({ active: false, daysLeft: 0, warnings: [{ code: 'CONTRACT_ENDED' }] });
  });

  it('says when there is no contract, or no licence', () => {
    expect(contractStatus([licence({ updateContract: undefined })], now).warnings.map((w) => w.code)).toEqual(['NO_CONTRACT']);
    expect(contractStatus([], now).warnings.map((w) => w.code)).toEqual(['NO_LICENCE']);
  });

  it('takes the contract ending last among several licences', () => {
    const s = contractStatus(
      [licence(), licence({ id: 'LIC-2', updateContract: { validFrom: '2026-10-01T00:00:00Z', validUntil: '2027-10-01T00:00:00Z' } })],
      now,
    );
    expect(s.contract?.validUntil).toBe('2027-10-01T00:00:00Z');
    expect(s.active).toBe(true);
  });
});
