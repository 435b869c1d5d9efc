import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignedLicence } from '../../../server/domain/licence.js';
import type { TrustedLicenceKey } from '../../../server/vendor/licence-issuer.js';
import { run } from '../../../server/vendor/licence-cli.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

describe('the licence command', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('makes a key and issues a licence that verifies against the printed public key', async () => {
    const dir = tmpDir('licence-cli');
    dirs.push(dir);
    const out: string[] = [];
    await run(['keygen', path.join(dir, 'key.pem')], (s) => out.push(s));
    const [trusted] = JSON.parse(out[0]!) as TrustedLicenceKey[];
    await run(
      [
        'issue',
        path.join(dir, 'key.pem'),
        '--system-id',
        'PBX-1',
        '--id',
        'LIC-7',
        '--customer',
        'Acme',
        '--edition',
        'Business',
        '--max-major',
        '9',
        '--modules',
        'fax, callcenter',
        '--contract-from',
        '2026-01-01T00:00:00Z',
        '--contract-until',
        '2027-01-01T00:00:00Z',
        '--out',
        path.join(dir, 'l.json'),
      ],
      () => {},
    );
    const signed = JSON.parse(fs.readFileSync(path.join(dir, 'l.json'), 'utf8')) as SignedLicence;
    expect(signed.licence).toMatchObject({ id: 'LIC-7', systemId: 'PBX-1', maxMajor: 9, licensedModules: ['fax', 'callcenter'] });
    expect(signed.signature.keyId).toBe(trusted!.keyId);
    const publicKey = crypto.createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(trusted!.publicKey, 'hex')]),
      format: 'der',
      type: 'spki',
    });
    expect(crypto.verify(null, Buffer.from(canonicalize(signed.licence)), publicKey, Buffer.from(signed.signature.value, 'base64'))).toBe(
      true,
    );
  });

  it('refuses an invalid licence', async () => {
    const dir = tmpDir('licence-cli');
    dirs.push(dir);
    await run(['keygen', path.join(dir, 'key.pem')], () => {});
    await expect(
      run(
        [
          'issue',
          path.join(dir, 'key.pem'),
          '--system-id',
          'PBX-1',
          '--id',
          'LIC-8',
          '--customer',
          'Acme',
          '--edition',
          'B',
          '--max-major',
          '9',
          '--contract-from',
          '2027-01-01T00:00:00Z',
          '--contract-until',
          '2026-01-01T00:00:00Z',
        ],
        () => {},
      ),
    ).rejects.toThrow(/validUntil: must be after validFrom|must be after validFrom/);
  });
});
