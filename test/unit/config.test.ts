import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = loadConfig({}, '/srv/patchbay');
    expect(sut).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      home: '/srv/patchbay/var',
      adminPassword: null,
      feed: null,
      allowedOrigins: [],
      graphiql: true,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      appliance: { kind: 'demo', callIntervalMs: 5000, sipPort: 0 },
      tls: { mode: 'auto', certFile: null, keyFile: null },
      trustedProxies: [],
      timeZone: null,
    });
    expect(Object.isFrozen(sut)).toBe(true);
  });

  it('turns GraphiQL off with PATCHBAY_GRAPHIQL=off and refuses any other word', () => {
    expect(loadConfig({ PATCHBAY_GRAPHIQL: 'off' }).graphiql).toBe(false);
    expect(() => loadConfig({ PATCHBAY_GRAPHIQL: 'no' })).toThrow(/PATCHBAY_GRAPHIQL must be "on" or "off"/);
  });

  it('takes the appliance’s time zone by its canonical IANA name', () => {
    expect(loadConfig({ PATCHBAY_TIME_ZONE: 'europe/berlin' }).timeZone).toBe('Europe/Berlin');
  });

  it('refuses a time zone that is not an IANA zone', () => {
    expect(() => loadConfig({ PATCHBAY_TIME_ZONE: 'CEST+1' })).toThrow(/PATCHBAY_TIME_ZONE: PATCHBAY_TIME_ZONE must be an IANA time zone/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', PATCHBAY_ADMIN_PASSWORD: '' }).port).toBe(8080);
  });

  it('lists every bad value at once, naming the variable', () => {
    const attempt = () =>
      loadConfig({
        PORT: '80a',
        PATCHBAY_ADMIN_PASSWORD: 'short',
        PATCHBAY_ALLOWED_ORIGINS: 'https://ok.example, not a url',
        PATCHBAY_LOG_LEVEL: 'loud',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT: PORT must be a whole number/);
      expect(problems).toMatch(/PATCHBAY_ADMIN_PASSWORD: .*at least 12/);
      expect(problems).toMatch(/PATCHBAY_ALLOWED_ORIGINS/);
      expect(problems).toMatch(/PATCHBAY_LOG_LEVEL/);
    }
  });

  it('refuses a port above 65535', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be at most 65535/);
  });

  it('refuses an allowed origin with a path', () => {
    expect(() => loadConfig({ PATCHBAY_ALLOWED_ORIGINS: 'https://pbx.example.com/admin' })).toThrow(/origin like/);
  });

  it('requires the commands and the health URL for a real appliance', () => {
    expect(() => loadConfig({ PATCHBAY_APPLIANCE: 'command' })).toThrow(/PATCHBAY_APPLIANCE_START_COMMAND is required/);
    const sut = loadConfig({
      PATCHBAY_APPLIANCE: 'command',
      PATCHBAY_APPLIANCE_START_COMMAND: 'systemctl start pbx',
      PATCHBAY_APPLIANCE_STOP_COMMAND: 'systemctl stop pbx',
      PATCHBAY_APPLIANCE_HEALTH_URL: 'http://127.0.0.1:9000/health',
    });
    expect(sut.appliance).toEqual({
      kind: 'command',
      startCommand: ['systemctl', 'start', 'pbx'],
      stopCommand: ['systemctl', 'stop', 'pbx'],
      healthUrl: 'http://127.0.0.1:9000/health',
      callCommands: null,
    });
  });

  const commandAppliance = {
    PATCHBAY_APPLIANCE: 'command',
    PATCHBAY_APPLIANCE_START_COMMAND: 'systemctl start pbx',
    PATCHBAY_APPLIANCE_STOP_COMMAND: 'systemctl stop pbx',
    PATCHBAY_APPLIANCE_HEALTH_URL: 'http://127.0.0.1:9000/health',
  };

  it('takes the three call commands of a real appliance together', () => {
    const sut = loadConfig({
      ...commandAppliance,
      PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND: '/usr/local/bin/pbx-active-calls',
      PATCHBAY_APPLIANCE_DRAIN_COMMAND: '/usr/local/bin/pbx-drain --now',
      PATCHBAY_APPLIANCE_UNDRAIN_COMMAND: '/usr/local/bin/pbx-undrain',
    });
    expect(sut.appliance).toMatchObject({
      callCommands: {
        activeCalls: ['/usr/local/bin/pbx-active-calls'],
        drain: ['/usr/local/bin/pbx-drain', '--now'],
        undrain: ['/usr/local/bin/pbx-undrain'],
      },
    });
  });

  it('refuses some of the call commands without the others, naming the missing ones', () => {
    expect(() => loadConfig({ ...commandAppliance, PATCHBAY_APPLIANCE_DRAIN_COMMAND: '/usr/local/bin/pbx-drain' })).toThrow(
      /set all of .* or none \(missing PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND, PATCHBAY_APPLIANCE_UNDRAIN_COMMAND\)/,
    );
  });

  it('takes the demo SIP port, and refuses one that is not a port', () => {
    expect(loadConfig({ PATCHBAY_DEMO_SIP_PORT: '5060' }).appliance).toMatchObject({ kind: 'demo', sipPort: 5060 });
    expect(() => loadConfig({ PATCHBAY_DEMO_SIP_PORT: '70000' })).toThrow(/PATCHBAY_DEMO_SIP_PORT must be at most 65535/);
  });

  it('reads the certificate files relative to the working directory, and the trusted proxies', () => {
    const sut = loadConfig(
      {
        PATCHBAY_TLS_CERT: 'tls/cert.pem',
        PATCHBAY_TLS_KEY: '/etc/pb/key.pem',
        PATCHBAY_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/24,fd00::/8',
      },
      '/srv/patchbay',
    );
    expect(sut.tls).toEqual({ mode: 'auto', certFile: '/srv/patchbay/tls/cert.pem', keyFile: '/etc/pb/key.pem' });
    expect(sut.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/24', 'fd00::/8']);
  });

  it('accepts PATCHBAY_TLS=off for plain HTTP on the LAN', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PATCHBAY_TLS: 'off' }).tls.mode).toBe('off');
  });

  it('refuses a certificate without its key, and a certificate together with PATCHBAY_TLS=off', () => {
    expect(() => loadConfig({ PATCHBAY_TLS_CERT: 'cert.pem' })).toThrow(/PATCHBAY_TLS_CERT and PATCHBAY_TLS_KEY must be set together/);
    expect(() => loadConfig({ PATCHBAY_TLS_KEY: 'key.pem' })).toThrow(/must be set together/);
    expect(() => loadConfig({ PATCHBAY_TLS: 'off', PATCHBAY_TLS_CERT: 'c.pem', PATCHBAY_TLS_KEY: 'k.pem' })).toThrow(/contradicts/);
    expect(() => loadConfig({ PATCHBAY_TLS: 'no' })).toThrow(/PATCHBAY_TLS must be "auto" or "off"/);
  });

  it('refuses a trusted proxy given by name or with a bad prefix', () => {
    expect(() => loadConfig({ PATCHBAY_TRUSTED_PROXIES: 'proxy.lan' })).toThrow(/PATCHBAY_TRUSTED_PROXIES: each entry/);
    expect(() => loadConfig({ PATCHBAY_TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/CIDR range/);
  });
});
