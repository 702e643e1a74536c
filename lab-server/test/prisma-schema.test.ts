import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/config.js';
import { migrate, throwIfFailed } from '../src/migrations/index.js';
import { databaseShape, prismaShape, type SchemaShape } from './support/schema-shape.js';
import { startTestServers, type TestServers } from './support/servers.js';

const SCHEMA = path.join(REPO_ROOT, 'lab-server/prisma/schema.prisma');
let servers: TestServers;
let built: SchemaShape;
/** Tables with a trigger that sets ring_hash from the sharding key. */
let ringHashTriggers: Set<string>;

beforeAll(async () => {
  servers = await startTestServers(1);
  throwIfFailed(await migrate([{ name: 'shard-0', url: servers.urls[0]! }], path.join(REPO_ROOT, 'migrations'), 'latest'));
  const client = new pg.Client(servers.urls[0]);
  await client.connect();
  try {
    built = await databaseShape(client);
    const { rows } = await client.query<{ table: string }>(`
      SELECT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND p.proname = 'lab_set_ring_hash'`);
    ringHashTriggers = new Set(rows.map((r) => r.table));
  } finally {
    await client.end();
  }
});
afterAll(async () => servers?.stop());

describe('schema.prisma matches what migrations/ builds', () => {
  it('has the same tables, columns, types, defaults, keys, indexes and foreign keys', () => {
    expect(prismaShape(fs.readFileSync(SCHEMA, 'utf8'))).toEqual(built);
  });

  it('notices drift: a changed type, a missing column, a missing index, a different foreign-key action', () => {
    const text = fs.readFileSync(SCHEMA, 'utf8');
    const drifted = [
      text.replace('title      String                 @db.VarChar(200)', 'title      String                 @db.VarChar(100)'),
      text.replace(/^\s+last_error\s+String\?\n/m, ''),
      text.replace(/^\s+@@index\(\[ring_hash\], map: "idx_messages_ring_hash"\)\n/m, ''),
      text.replace('onDelete: SetNull', 'onDelete: Cascade'),
    ];
    for (const d of drifted) {
      expect(d).not.toBe(text);
      expect(prismaShape(d)).not.toEqual(built);
    }
  });

  it('every table whose rows can move has an indexed ring_hash and a primary key (the resharding contract)', () => {
    for (const [name, t] of Object.entries(built)) {
      expect(t.primaryKey.length, name).toBeGreaterThan(0);
      if (name === 'outbox' || name === 'outbox_delivered') {
        expect(t.columns.ring_hash, 'the outbox is shard-local').toBeUndefined();
        continue;
      }
      expect(t.columns.ring_hash?.type, name).toBe('bigint');
      // A plain column kept by a trigger: logical replication cannot write a generated one.
      expect(ringHashTriggers.has(name), `${name} has a lab_set_ring_hash trigger`).toBe(true);
      expect(
        Object.values(t.indexes).some((i) => i.columns[0] === 'ring_hash'),
        name,
      ).toBe(true);
    }
  });
});
