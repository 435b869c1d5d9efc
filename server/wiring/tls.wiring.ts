/**
 * The TLS side of a start: which certificate the port serves (the operator's files, a self-signed
 * pair made on the first start of a LAN-facing Patchbay, or none: plain HTTP, see
 * `domain/tls-plan.ts`), its fingerprint for the start-up banner, and the reload SIGHUP asks for.
 */
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import { ensureSelfSignedCertificate } from '../adapters/tls/self-signed-certificate.js';
import { readTlsMaterial, type TlsMaterial } from '../adapters/tls/tls-material.js';
import type { TlsKeyPair } from '../app.js';
import type { Config } from '../config.js';
import { TlsMaterialError } from '../domain/errors/index.js';
import { certificateNames, planTls } from '../domain/tls-plan.js';

export interface TlsInfo {
  certFile: string;
  keyFile: string;
  /** Made by Patchbay (on this start or an earlier one) rather than the operator's own. */
  selfSigned: boolean;
  /** Made on this start: its fingerprint is news to the operator. */
  generated: boolean;
  fingerprint256: string;
}

export type TlsReloadOutcome = { kind: 'reloaded'; fingerprint256: string } | { kind: 'kept'; error: TlsMaterialError };

export interface TlsWiring {
  initial: TlsMaterial;
  readonly info: TlsInfo;
  /** Re-reads the files and hands them to `apply`; a bad file keeps the current certificate. */
  reload(apply: (pair: TlsKeyPair) => void): Promise<TlsReloadOutcome>;
}

/** Null when the port serves plain HTTP. */
export async function wireTls(config: Readonly<Config>, deps: { clock: Clock; logger: Logger }): Promise<TlsWiring | null> {
  const plan = planTls(config.tls, config.host);
  if (plan.kind === 'plain') return null;
  const files =
    plan.kind === 'certificate'
      ? { certFile: plan.certFile, keyFile: plan.keyFile, generated: false }
      : await ensureSelfSignedCertificate(
          path.join(config.home, 'tls'),
          certificateNames({
            host: config.host,
            hostname: os.hostname(),
            interfaceAddresses: Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
            origins: config.allowedOrigins,
          }),
          deps.clock.now(),
        );
  const pair = await readTlsMaterial(files.certFile, files.keyFile);
  let info: TlsInfo = { ...files, selfSigned: plan.kind === 'self-signed', fingerprint256: pair.fingerprint256 };
  if (files.generated)
    deps.logger.info('self-signed TLS certificate made', { certFile: files.certFile, fingerprint256: pair.fingerprint256 });
  return {
    initial: pair,
    get info() {
      return info;
    },
    async reload(apply) {
      let next: TlsMaterial;
      try {
        next = await readTlsMaterial(info.certFile, info.keyFile);
      } catch (err) {
        if (!(err instanceof TlsMaterialError)) throw err;
        deps.logger.error('TLS certificate not reloaded: the current one stays', { code: err.code, ...err.details });
        return { kind: 'kept', error: err };
      }
      apply(next);
      info = { ...info, generated: false, fingerprint256: next.fingerprint256 };
      deps.logger.info('TLS certificate reloaded', { certFile: info.certFile, fingerprint256: next.fingerprint256, validTo: next.validTo });
      return { kind: 'reloaded', fingerprint256: next.fingerprint256 };
    },
  };
}
