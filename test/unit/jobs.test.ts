import { describe, expect, it } from 'vitest';
import { canMove, endsJobStreams, isActive, secondsLeft, startTimeProblem } from '../../server/domain/jobs.js';

const now = new Date('2026-11-24T12:00:00Z');

describe('startTimeProblem', () => {
  it.each([
    ['now', '2026-11-24T12:00:00Z', null],
    ['a minute ago (a slow form)', '2026-11-24T11:59:00Z', null],
    ['ten minutes ago', '2026-11-24T11:50:00Z', /in the past/],
    ['tonight in another time zone', '2026-11-24T23:00:00+01:00', null],
    ['in 90 days', '2027-02-22T12:00:00Z', null],
    ['in 91 days', '2027-02-23T12:00:01Z', /90 days/],
  ])('%s', (_name, iso, expected) => {
    const problem = startTimeProblem(new Date(iso), now);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('refuses an impossible date', () => {
    expect(startTimeProblem(new Date('2026-02-30T25:00:00Z'), now)).toMatch(/not a valid date/);
  });
});

describe('job states', () => {
  it('lets a job move forward and be cancelled until it is staged', () => {
    expect(canMove('SCHEDULED', 'DOWNLOADING')).toBe(true);
    expect(canMove('DOWNLOADED', 'STAGED')).toBe(true);
    expect(canMove('STAGED', 'CANCELLED')).toBe(true);
    expect(canMove('STAGED', 'DOWNLOADING')).toBe(false);
    expect(canMove('FAILED', 'DOWNLOADING')).toBe(false);
    expect(canMove('CANCELLED', 'SCHEDULED')).toBe(false);
  });

  it('counts staged jobs as active, finished ones not', () => {
    expect(isActive('STAGED')).toBe(true);
    expect(isActive('FAILED')).toBe(false);
    expect(isActive('CANCELLED')).toBe(false);
  });
});

describe('endsJobStreams', () => {
  it.each(['SUCCEEDED', 'FAILED', 'CANCELLED'] as const)('ends the streams of a job at %s, a final state', (state) => {
    expect(endsJobStreams(state)).toBe(true);
  });

  it('ends the streams of a download at STAGED: its installation is a new request, followed anew', () => {
    expect(endsJobStreams('STAGED')).toBe(true);
  });

  it.each(['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'INSTALLING', 'RESTORING'] as const)('keeps them open at %s', (state) => {
    expect(endsJobStreams(state)).toBe(false);
  });
});

describe('secondsLeft', () => {
  it('divides what is left by the rate, and says nothing without a rate', () => {
    expect(secondsLeft(500, 1500, 100)).toBe(10);
    expect(secondsLeft(500, 1500, 0)).toBeNull();
  });
});
