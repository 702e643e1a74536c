import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('the token', () => {
  it('is needed only beyond loopback: made at start there, unless LAB_TOKEN gives one', () => {
    expect(loadConfig({}).token).toBeNull();
    expect(loadConfig({ LAB_HOST: 'localhost' }).token).toBeNull();
    const made = loadConfig({ LAB_HOST: '0.0.0.0' }).token;
    expect(made).toMatch(/^[\w-]{32}$/);
    expect(loadConfig({ LAB_HOST: '0.0.0.0' }).token).not.toBe(made);
    expect(loadConfig({ LAB_HOST: '192.0.2.1', LAB_TOKEN: 'a-long-enough-token.1' }).token).toBe('a-long-enough-token.1');
  });

  it('refuses a token too short to guess-proof, or one that cannot travel in a cookie', () => {
    expect(() => loadConfig({ LAB_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ LAB_TOKEN: 'has;a;semicolon;in;it' })).toThrow(/LAB_TOKEN/);
  });

  it('reads the allowed host names as a list', () => {
    expect(loadConfig({ LAB_ALLOWED_HOSTS: ' lab.local, ,box:8080 ' }).allowedHosts).toEqual(['lab.local', 'box:8080']);
  });
});
