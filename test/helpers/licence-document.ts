/** A licence document for the rules' unit tests: a perpetual 8.x licence with a contract to 2026-10-01. */
import type { LicenceDocument } from '../../server/domain/licence.js';

export const licence = (over: Partial<LicenceDocument> = {}): LicenceDocument => ({
  formatVersion: 1,
  id: 'LIC-1',
  systemId: 'PBX-1',
  customer: 'Acme',
  edition: 'Business',
  issuedAt: '2025-10-01T00:00:00Z',
  licensedModules: ['fax'],
  maxMajor: 8,
  updateContract: { validFrom: '2025-10-01T00:00:00Z', validUntil: '2026-10-01T00:00:00Z' },
  ...over,
});
