import { describe, expect, it } from 'vitest';
import { ReadModel } from '../../server/services/read-models/read-model.js';

describe('ReadModel', () => {
  describe('read', () => {
    it('computes once and hands out the same value while the inputs are the same objects', () => {
      const sut = new ReadModel<[object], string, { n: number }>();
      const input = {};
      const first = sut.read([input], 'en', () => ({ n: 1 }));
      expect(sut.read([input], 'en', () => ({ n: 2 }))).toBe(first);
      expect(sut.computations).toBe(1);
    });

    it('computes again for a new input object, even an equal one', () => {
      const sut = new ReadModel<[object], string, number>();
      sut.read([{}], 'en', () => 1);
      expect(sut.read([{}], 'en', () => 2)).toBe(2);
      expect(sut.computations).toBe(2);
    });

    it('keeps one value per key, and drops them all when an input changes', () => {
      const sut = new ReadModel<[number], string, string>();
      sut.read([1], 'en', () => 'en-1');
      sut.read([1], 'de', () => 'de-1');
      expect(sut.read([1], 'en', () => 'again')).toBe('en-1');
      expect(sut.read([2], 'de', () => 'de-2')).toBe('de-2');
      expect(sut.read([2], 'en', () => 'en-2')).toBe('en-2');
      expect(sut.computations).toBe(4);
    });

    it('does not keep a promise that rejects: the next read computes again', async () => {
      const sut = new ReadModel<[number], null, Promise<string>>();
      await expect(sut.read([1], null, () => Promise.reject(new Error('EIO')))).rejects.toThrow('EIO');
      await expect(sut.read([1], null, () => Promise.resolve('read'))).resolves.toBe('read');
      expect(sut.computations).toBe(2);
    });
  });
});
