import { describe, expect, it } from 'vitest';
import { preferredEncoding } from '../../server/http/compression.js';
import { canonicalHost, forgeryRefusal, hostAllowed } from '../../server/http/credentials.js';
import { withoutSuggestions } from '../../server/http/graphql-strictness.js';

describe('canonicalHost', () => {
  it('drops the port and a trailing dot, lowers the case and brackets IPv6', () => {
    expect(canonicalHost('PBX.Example.COM.:8443')).toBe('pbx.example.com');
    expect(canonicalHost('::1')).toBe('[::1]');
    expect(canonicalHost('[0:0:0:0:0:0:0:1]:80')).toBe('[::1]');
    expect(canonicalHost('2130706433')).toBe('127.0.0.1');
  });

  it('refuses what is not a host', () => {
    for (const h of ['', 'evil.example/x', 'user@pbx', 'a b', 'pbx?x', '[::1']) expect(canonicalHost(h), h).toBeNull();
  });
});

describe('hostAllowed', () => {
  const names = ['pbx.example.com', '192.168.1.10'];

  it('allows loopback names and addresses whatever is configured', () => {
    for (const h of ['localhost:8080', 'pbx.localhost', '127.0.0.1', '127.9.9.9:1', '[::1]:8080', '[::ffff:127.0.0.1]'])
      expect(hostAllowed(h, []), h).toBe(true);
  });

  it('allows the configured names and addresses, with any port', () => {
    expect(hostAllowed('pbx.example.com', names)).toBe(true);
    expect(hostAllowed('PBX.example.com:443', names)).toBe(true);
    expect(hostAllowed('192.168.1.10:8080', names)).toBe(true);
  });

  it('treats an IPv4-mapped address as its IPv4 address', () => {
    expect(hostAllowed('192.168.1.10:8080', ['::ffff:192.168.1.10'])).toBe(true);
    expect(hostAllowed('[::ffff:192.168.1.10]', ['192.168.1.10'])).toBe(true);
  });

  it('refuses any other name, a missing Host and look-alikes', () => {
    expect(hostAllowed('rebind.evil.example', names)).toBe(false);
    expect(hostAllowed('pbx.example.com.evil.example', names)).toBe(false);
    expect(hostAllowed('localhost.evil.example', names)).toBe(false);
    expect(hostAllowed('192.168.1.11', names)).toBe(false);
    expect(hostAllowed(undefined, names)).toBe(false);
    expect(hostAllowed('', names)).toBe(false);
  });
});

describe('forgeryRefusal', () => {
  const cookie = 'patchbay_session=abc';

  it('lets GET and HEAD through (no mutation over GET)', () => {
    expect(forgeryRefusal('GET', { cookie, 'content-type': 'text/plain' })).toBeNull();
    expect(forgeryRefusal('HEAD', { cookie })).toBeNull();
  });

  it('requires Origin on a POST with the session cookie', () => {
    expect(forgeryRefusal('POST', { cookie, 'content-type': 'application/json' })).toBe('ORIGIN_REQUIRED');
    expect(forgeryRefusal('POST', { cookie, 'content-type': 'application/json', origin: 'http://127.0.0.1:8080' })).toBeNull();
  });

  it('requires the preflight header for content types a form can send', () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN;charset=utf-8', undefined])
      expect(forgeryRefusal('POST', { cookie, origin: 'http://pbx', 'content-type': type }), type).toBe('PREFLIGHT_HEADER_REQUIRED');
    expect(
      forgeryRefusal('POST', { cookie, origin: 'http://pbx', 'content-type': 'multipart/form-data', 'x-patchbay-csrf': '1' }),
    ).toBeNull();
    expect(forgeryRefusal('POST', { 'content-type': 'application/x-www-form-urlencoded' })).toBe('PREFLIGHT_HEADER_REQUIRED');
  });

  it('lets a bearer token through without Origin or preflight header, the cookie beside it notwithstanding', () => {
    expect(forgeryRefusal('POST', { authorization: 'Bearer pbt_x', 'content-type': 'multipart/form-data' })).toBeNull();
    expect(forgeryRefusal('POST', { authorization: 'Bearer pbt_x', cookie, 'content-type': 'application/json' })).toBeNull();
  });
});

describe('preferredEncoding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(preferredEncoding('gzip, deflate, br')).toBe('br');
    expect(preferredEncoding('gzip')).toBe('gzip');
    expect(preferredEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(preferredEncoding('*')).toBe('gzip');
    expect(preferredEncoding('identity')).toBeNull();
    expect(preferredEncoding(undefined)).toBeNull();
  });
});

describe('withoutSuggestions', () => {
  it('drops every kind of "Did you mean" graphql-js appends', () => {
    expect(withoutSuggestions('Value "OPRATE" does not exist in "ApiScope" enum. Did you mean the enum value "OPERATE"?')).toBe(
      'Value "OPRATE" does not exist in "ApiScope" enum.',
    );
    expect(withoutSuggestions('Unknown type "ApiScop". Did you mean "ApiScope", "Api", or "Scope"?')).toBe('Unknown type "ApiScop".');
    expect(withoutSuggestions('Cannot query field "x" on type "Query".')).toBe('Cannot query field "x" on type "Query".');
  });
});
