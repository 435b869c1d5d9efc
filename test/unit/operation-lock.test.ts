import { describe, expect, it } from 'vitest';
import { OperationInProgressError } from '../../server/domain/errors/index.js';
import { OperationLock } from '../../server/services/operation-lock.js';

describe('OperationLock', () => {
  describe('acquire', () => {
    it('refuses a second operation while the first holds the lock, naming the first', () => {
      const sut = new OperationLock();
      sut.acquire('backup');
      expect(() => sut.acquire('installation')).toThrow(OperationInProgressError);
      try {
        sut.acquire('installation');
      } catch (err) {
        expect((err as OperationInProgressError).operation).toBe('backup');
      }
    });

    it('is free again once released, and a second release does not free a later holder', () => {
      const sut = new OperationLock();
      const release = sut.acquire('installation');
      release();
      expect(sut.current()).toBeNull();
      sut.acquire('backup');
      release();
      expect(sut.current()).toBe('backup');
    });
  });
});
