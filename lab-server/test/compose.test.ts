import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, REPO_ROOT } from '../src/config.js';

// docker-compose.yml, the original's topology on containers. No container engine runs here, so this checks
// the file's shape and what the lab expects of it; it does not start anything.

interface Service {
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  networks?: string[];
}
const file = fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(file, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown>; networks: Record<string, unknown> };
const shards = [0, 1, 2, 3, 4];

describe('docker-compose.yml', () => {
  it('runs five primaries, a replica of each and a transaction-mode PgBouncer in front of each, on the original ports', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual([...shards.flatMap((i) => [`shard-${i}`, `shard-${i}-replica`, `pgbouncer-${i}`]), 'lab'].sort());
    for (const i of shards) {
      expect(s[`shard-${i}`]).toMatchObject({ image: 'postgres:16-alpine', ports: [`${5440 + i}:5432`], networks: ['sharded-network'] });
      expect(s[`shard-${i}-replica`]).toMatchObject({ ports: [`${5450 + i}:5432`], environment: { PRIMARY_HOST: `shard-${i}` } });
      expect(s[`shard-${i}-replica`]!.depends_on).toEqual({ [`shard-${i}`]: { condition: 'service_healthy' } });
      expect(s[`pgbouncer-${i}`]).toMatchObject({
        ports: [`${6430 + i}:5432`],
        environment: { DB_HOST: `shard-${i}`, POOL_MODE: 'transaction', MAX_CLIENT_CONN: '10000' },
      });
      expect(compose.volumes).toHaveProperty(`shard${i}_data`);
      expect(compose.volumes).toHaveProperty(`shard${i}_replica_data`);
    }
    expect(compose.networks).toHaveProperty('sharded-network');
  });

  it("mounts files that exist, and gives the lab an environment its own config accepts: five external shards, the primaries' services", () => {
    for (const svc of Object.values(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('./')) expect(fs.existsSync(path.join(REPO_ROOT, host)), v).toBe(true);
      }
    }
    const lab = compose.services.lab!;
    const config = loadConfig(lab.environment);
    expect(config.externalShards).toEqual(shards.map((i) => `postgres://postgres:postgres@shard-${i}:5432/messenger`));
    expect(config.host).toBe('0.0.0.0');
    expect(config.token).toBe(lab.environment!.LAB_TOKEN);
    expect(Object.keys(lab.depends_on ?? {}).sort()).toEqual(shards.map((i) => `shard-${i}`));
  });
});
