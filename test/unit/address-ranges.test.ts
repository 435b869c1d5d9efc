import { describe, expect, it } from 'vitest';
import { addressRanges, isLoopbackHost, parseAddressRange } from '../../server/domain/address-ranges.js';

describe('parseAddressRange', () => {
  it('reads a single address as a range of one', () => {
    expect(parseAddressRange('10.0.0.5')).toEqual({ network: '10.0.0.5', prefix: 32, family: 'ipv4' });
    expect(parseAddressRange('::1')).toEqual({ network: '::1', prefix: 128, family: 'ipv6' });
  });

  it('reads CIDR ranges of both families', () => {
    expect(parseAddressRange(' 192.168.1.0/24 ')).toEqual({ network: '192.168.1.0', prefix: 24, family: 'ipv4' });
    expect(parseAddressRange('fd00::/8')).toEqual({ network: 'fd00::', prefix: 8, family: 'ipv6' });
  });

  it('refuses host names, bad prefixes and extra parts', () => {
    for (const entry of ['proxy.lan', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/x', '']) {
      expect(parseAddressRange(entry), entry).toBeNull();
    }
  });
});

describe('addressRanges', () => {
  const sut = addressRanges(['10.0.0.0/24', '127.0.0.3', 'fd00::/8']);

  it('includes the addresses inside its ranges', () => {
    expect(sut.includes('10.0.0.200')).toBe(true);
    expect(sut.includes('127.0.0.3')).toBe(true);
    expect(sut.includes('fd00::1234')).toBe(true);
  });

  it('includes an IPv4-mapped IPv6 peer of an IPv4 range, as a dual-stack socket reports it', () => {
    expect(sut.includes('::ffff:10.0.0.7')).toBe(true);
  });

  it('excludes everything else, and anything that is not an address', () => {
    expect(sut.includes('10.0.1.1')).toBe(false);
    expect(sut.includes('127.0.0.1')).toBe(false);
    expect(sut.includes('fe80::1')).toBe(false);
    expect(sut.includes('unknown')).toBe(false);
  });

  it('is empty without entries', () => {
    expect(addressRanges([]).includes('127.0.0.1')).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it('holds for localhost and the loopback addresses', () => {
    for (const host of ['localhost', '127.0.0.1', '127.0.0.2', '::1', '[::1]', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
  });

  it('does not hold for wildcards, LAN addresses and other names', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'pbx.lan', 'fd00::2']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
