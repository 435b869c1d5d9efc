import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../server/domain/instant.js';
import { firstDuplicate, unsafeCharacter } from '../../server/domain/input-rules.js';

describe('parseInstant', () => {
  const sut = parseInstant;

  it('reads an instant with Z or an offset, with or without seconds and fractions', () => {
    expect(sut('2026-11-24T12:00Z')?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(sut('2026-11-25T02:00:00+01:00')?.toISOString()).toBe('2026-11-25T01:00:00.000Z');
    expect(sut('2026-11-24T12:00:30.250-05:30')?.toISOString()).toBe('2026-11-24T17:30:30.250Z');
  });

  it('accepts 29 February in a leap year only', () => {
    expect(sut('2028-02-29T00:00:00Z')).not.toBeNull();
    expect(sut('2000-02-29T00:00:00Z')).not.toBeNull();
    expect(sut('2027-02-29T00:00:00Z')).toBeNull();
    expect(sut('2100-02-29T00:00:00Z')).toBeNull();
  });

  it('refuses days a month does not have instead of rolling them over', () => {
    expect(sut('2026-11-31T23:00Z')).toBeNull();
    expect(sut('2026-02-30T10:00:00Z')).toBeNull();
    expect(sut('2026-04-31T10:00:00Z')).toBeNull();
    expect(sut('2026-00-10T10:00:00Z')).toBeNull();
    expect(sut('2026-13-10T10:00:00Z')).toBeNull();
    expect(sut('2026-12-00T10:00:00Z')).toBeNull();
  });

  it('refuses impossible times and offsets', () => {
    for (const text of [
      '2026-11-24T24:00Z',
      '2026-11-24T12:60Z',
      '2026-11-24T12:00:60Z',
      '2026-11-24T12:00+24:00',
      '2026-11-24T12:00+01:60',
    ])
      expect(sut(text), text).toBeNull();
  });

  it('refuses an instant without a time zone and other shapes Date would guess at', () => {
    for (const text of [
      '2026-11-24T12:00:00',
      '2026-11-24',
      '24.11.2026 12:00',
      '2026-11-24 12:00Z',
      ' 2026-11-24T12:00Z',
      'Tue, 24 Nov 2026 12:00:00 GMT',
    ])
      expect(sut(text), text).toBeNull();
  });
});

describe('unsafeCharacter', () => {
  const sut = unsafeCharacter;

  it('names the first C0, DEL or C1 control', () => {
    expect(sut('a\u0000b')).toBe('U+0000');
    expect(sut('\u001b[31mred')).toBe('U+001B');
    expect(sut('tab\there')).toBe('U+0009');
    expect(sut('del\u007f')).toBe('U+007F');
    expect(sut('next\u0085line')).toBe('U+0085');
  });

  it('names bidirectional controls that make a name read differently', () => {
    for (const [c, name] of [
      ['\u202e', 'U+202E'],
      ['\u202a', 'U+202A'],
      ['\u2066', 'U+2066'],
      ['\u2069', 'U+2069'],
      ['\u200e', 'U+200E'],
      ['\u200f', 'U+200F'],
      ['\u061c', 'U+061C'],
    ])
      expect(sut(`gpj${c}exe`)).toBe(name);
  });

  it('lets letters of any script, punctuation and emoji through', () => {
    expect(sut('Überwachung – Zentrale №1 🚀 مراقبة 監視')).toBeNull();
  });
});

describe('firstDuplicate', () => {
  const sut = firstDuplicate;

  it('returns the first key seen twice', () => {
    expect(sut(['READ', 'OPERATE', 'READ'])).toBe('READ');
    expect(sut([{ moduleId: 'fax' }, { moduleId: 'crm' }, { moduleId: 'fax' }], (m) => m.moduleId)).toBe('fax');
  });

  it('returns null when every entry is distinct', () => {
    expect(sut([])).toBeNull();
    expect(sut(['READ', 'OPERATE'])).toBeNull();
  });
});
