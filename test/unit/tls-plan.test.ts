import { describe, expect, it } from 'vitest';
import { certificateNames, planTls } from '../../server/domain/tls-plan.js';

describe('planTls', () => {
  const none = { mode: 'auto' as const, certFile: null, keyFile: null };

  it('serves the operator certificate on any host', () => {
    const settings = { mode: 'auto' as const, certFile: '/etc/pb/cert.pem', keyFile: '/etc/pb/key.pem' };
    expect(planTls(settings, '127.0.0.1')).toEqual({ kind: 'certificate', certFile: '/etc/pb/cert.pem', keyFile: '/etc/pb/key.pem' });
    expect(planTls(settings, '0.0.0.0')).toMatchObject({ kind: 'certificate' });
  });

  it('keeps plain HTTP on a loopback host, as the quick start runs', () => {
    expect(planTls(none, '127.0.0.1')).toEqual({ kind: 'plain' });
    expect(planTls(none, 'localhost')).toEqual({ kind: 'plain' });
  });

  it('makes a self-signed certificate for a host the LAN can reach', () => {
    expect(planTls(none, '0.0.0.0')).toEqual({ kind: 'self-signed' });
    expect(planTls(none, '192.168.1.10')).toEqual({ kind: 'self-signed' });
  });

  it('serves plain HTTP on the LAN only when told to', () => {
    expect(planTls({ ...none, mode: 'off' }, '0.0.0.0')).toEqual({ kind: 'plain' });
  });
});

describe('certificateNames', () => {
  it('covers the host, host name, interface addresses, configured origins and loopback, once each', () => {
    const sut = certificateNames({
      host: '192.168.1.10',
      hostname: 'PBX',
      interfaceAddresses: ['127.0.0.1', '192.168.1.10', 'fd00::2', '::1'],
      origins: ['https://pbx.example.com', 'https://[fd00::2]:8443'],
    });
    expect(sut).toEqual({ dns: ['pbx', 'pbx.example.com', 'localhost'], ip: ['192.168.1.10', '127.0.0.1', 'fd00::2', '::1'] });
  });

  it('leaves out a wildcard listening host', () => {
    const sut = certificateNames({ host: '0.0.0.0', hostname: 'pbx', interfaceAddresses: ['::'], origins: [] });
    expect(sut.ip).not.toContain('0.0.0.0');
    expect(sut.ip).not.toContain('::');
  });
});
