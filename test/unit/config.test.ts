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
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      appliance: { kind: 'demo', callIntervalMs: 5000 },
      timeZone: null,
    });
    expect(Object.isFrozen(sut)).toBe(true);
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
    });
  });
});
