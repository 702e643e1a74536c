import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
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

describe('external servers', () => {
  const a = 'postgres://u:p@127.0.0.1:5432/messenger';
  const b = 'postgres://u:p@127.0.0.1:5433/messenger';
  const r = 'postgres://u:p@127.0.0.1:5434/messenger';
  const pb = 'postgres://u:p@127.0.0.1:6432/messenger';

  it('LAB_SHARDS names each primary, and beside it a replica and a PgBouncer by URL', () => {
    const c = loadConfig({ LAB_SHARDS: `${a}|replica=${r}, ${b}|pgbouncer=${pb}` });
    expect(c.externalShards).toEqual([a, b]);
    expect(c.externalPeers).toEqual([
      { replica: r, pgbouncer: null },
      { replica: null, pgbouncer: pb },
    ]);
    expect(c.shardCount).toBe(2);
    expect(loadConfig({}).externalPeers).toEqual([]);
    expect(() => loadConfig({ LAB_SHARDS: `${a}|standby=${r}` })).toThrow(/'standby=.*' after '.*' must be replica=postgres:\/\/… or pgbouncer=postgres:\/\/…/);
    expect(() => loadConfig({ LAB_SHARDS: 'mysql://x' })).toThrow(/is not a postgres:\/\/ connection URL/);
  });

  it('LAB_SHARDS_FILE says the same in JSON, and a bad file is refused with what is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shard-lab-config-'));
    try {
      const file = path.join(dir, 'shards.json');
      fs.writeFileSync(file, JSON.stringify({ shards: [{ url: a, replica: r, pgbouncer: pb }, { url: b }] }));
      const c = loadConfig({ LAB_SHARDS_FILE: file });
      expect(c.externalShards).toEqual([a, b]);
      expect(c.externalPeers).toEqual([
        { replica: r, pgbouncer: pb },
        { replica: null, pgbouncer: null },
      ]);
      fs.writeFileSync(file, JSON.stringify({ shards: [{ url: a, replica: 'nope' }] }));
      expect(() => loadConfig({ LAB_SHARDS_FILE: file })).toThrow(/shards\.0\.replica: replica must be a postgres:\/\/ connection URL/);
      expect(() => loadConfig({ LAB_SHARDS_FILE: path.join(dir, 'missing.json') })).toThrow(/LAB_SHARDS_FILE: cannot read .*missing\.json as JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
