import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { addressRanges } from '../../server/domain/address-ranges.js';
import { requestFacts, type RequestLike } from '../../server/http/request-facts.js';

const PROXIES = addressRanges(['10.0.0.2', '10.0.1.0/24']);

function request(peer: string, headers: IncomingHttpHeaders, encrypted = false): RequestLike {
  return { headers, socket: { remoteAddress: peer, ...(encrypted && { encrypted: true }) } as unknown as Socket };
}

describe('requestFacts', () => {
  describe('from a peer that is not a trusted proxy', () => {
    const forged = {
      host: 'pbx.lan:8080',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-for': '203.0.113.9',
    };

    it('ignores every X-Forwarded header', () => {
      expect(requestFacts(request('192.168.1.50', forged), PROXIES)).toEqual({
        secure: false,
        host: 'pbx.lan:8080',
        address: '192.168.1.50',
      });
    });

    it('takes TLS from the connection itself', () => {
      expect(requestFacts(request('192.168.1.50', { host: 'pbx.lan' }, true), PROXIES).secure).toBe(true);
    });

    it('trusts nobody when no proxies are configured', () => {
      expect(requestFacts(request('10.0.0.2', forged), addressRanges([]))).toEqual({
        secure: false,
        host: 'pbx.lan:8080',
        address: '10.0.0.2',
      });
    });
  });

  describe('from a trusted proxy', () => {
    it('believes the scheme, host and client address it forwards', () => {
      const sut = requestFacts(
        request('10.0.0.2', {
          host: '127.0.0.1:8080',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'pbx.example.com',
          'x-forwarded-for': '192.168.1.50',
        }),
        PROXIES,
      );
      expect(sut).toEqual({ secure: true, host: 'pbx.example.com', address: '192.168.1.50' });
    });

    it('reads plain http as not secure, even over a TLS connection from the proxy', () => {
      expect(requestFacts(request('10.0.0.2', { 'x-forwarded-proto': 'http' }, true), PROXIES).secure).toBe(false);
    });

    it('keeps the connection and Host header where the proxy forwards nothing', () => {
      expect(requestFacts(request('10.0.0.2', { host: 'pbx.lan' }), PROXIES)).toEqual({
        secure: false,
        host: 'pbx.lan',
        address: '10.0.0.2',
      });
    });

    it('uses the values of the nearest proxy when several were appended', () => {
      const sut = requestFacts(
        request('10.0.0.2', { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'a.example, b.example' }),
        PROXIES,
      );
      expect(sut).toMatchObject({ secure: true, host: 'b.example' });
    });

    it('ignores a forwarded host that is not a host name', () => {
      expect(requestFacts(request('10.0.0.2', { host: 'pbx.lan', 'x-forwarded-host': 'evil/x y' }), PROXIES).host).toBe('pbx.lan');
    });
  });

  describe('the client address through a chain of proxies', () => {
    it('walks X-Forwarded-For from the nearest hop while the hops are trusted', () => {
      const headers = { 'x-forwarded-for': '203.0.113.9, 192.168.1.50, 10.0.1.7' };
      expect(requestFacts(request('10.0.0.2', headers), PROXIES).address).toBe('192.168.1.50');
    });

    it('does not believe what an untrusted hop wrote to its left', () => {
      const headers = { 'x-forwarded-for': '10.0.1.9, 192.168.1.50' };
      expect(requestFacts(request('10.0.0.2', headers), PROXIES).address).toBe('192.168.1.50');
    });

    it('stops at a malformed entry, at the proxy that passed it on', () => {
      expect(requestFacts(request('10.0.0.2', { 'x-forwarded-for': 'unknown, 10.0.1.7' }), PROXIES).address).toBe('10.0.1.7');
    });

    it('reads the header when Node delivered it as several values', () => {
      expect(
        requestFacts(request('10.0.0.2', { 'x-forwarded-for': ['198.51.100.1', '192.168.1.50'] as unknown as string }), PROXIES).address,
      ).toBe('192.168.1.50');
    });
  });
});
