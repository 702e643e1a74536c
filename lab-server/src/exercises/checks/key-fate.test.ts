import { describe, expect, it } from 'vitest';
import type { KeyFate } from '../../placement/key-fate.js';
import { judgeKeyFate, keyFate } from './key-fate.js';

const shards = ['shard-0', 'shard-1', 'shard-2'];
// A UUIDv7 minted at 2026-01-01T10:00:00.000Z (0x019b78fff900).
const key = '019b78ff-f900-7000-8000-000000000001';
const step = (version: number, created_at: string, shard: string, shard_count: number, moved: boolean, reason = 'initial ring') => ({
  version,
  reason,
  created_at,
  strategy: 'md5-ring' as const,
  vnodes: 150,
  shard_count,
  point: 1,
  vnode: `${shard}-vn1`,
  shard,
  port: 5440,
  moved,
  server_changed: false,
});
const fate = (moved: boolean, verdict: KeyFate['verdict'], reshardAt = '2026-01-01T10:05:00.000Z'): KeyFate => {
  const to = moved ? 'shard-2' : 'shard-1';
  return {
    key,
    hash: '0x12345678',
    steps: [step(1, '2026-01-01T09:00:00.000Z', 'shard-1', 2, false), step(2, reshardAt, to, 3, moved, 'add shard-2 (rebalanced)')],
    moves: moved ? 1 : 0,
    now: { shard: to, port: 5440, replica_port: null },
    rows: shards.map((s) => ({ shard: s, found: verdict === 'misplaced' ? s === 'shard-1' : verdict === 'routed' && s === to })),
    verdict,
    paused: [],
  };
};
const spec = keyFate.spec.parse({ kind: 'key-fate', first_name: 'Barbara', last_name: 'Liskov' });

describe('key-fate check', () => {
  it('asks for the user, then for a reshard after it was created', () => {
    expect(judgeKeyFate(spec, 'shard-1', null, shards).message).toMatch(/^There is no user named Barbara Liskov yet/);
    // The only shard-count change happened before the id was minted: it did not follow this user.
    expect(judgeKeyFate(spec, 'shard-2', fate(true, 'routed', '2026-01-01T09:30:00.000Z'), shards).message).toMatch(
      /^The ring has not changed its shard count since Barbara Liskov was created\. Add a shard/,
    );
  });

  it('passes the shard the row lives on after a rebalance, saying when it moved or why it stayed', () => {
    expect(judgeKeyFate(spec, 'shard-2', fate(true, 'routed'), shards)).toEqual({
      passed: true,
      message:
        "Right: Barbara Liskov's row is on shard-2, where the ring sends reads; it moved at ring v2 (add shard-2 (rebalanced)), when its hash 0x12345678 fell into an arc the ring gave to shard-2.",
    });
    expect(judgeKeyFate(spec, '1', fate(false, 'routed'), shards).message).toMatch(/it stayed through ring v2/);
    expect(judgeKeyFate(spec, 'shard-0', fate(true, 'routed'), shards).passed).toBe(false);
  });

  it('fails a resize that left the row behind', () => {
    expect(judgeKeyFate(spec, 'shard-2', fate(true, 'misplaced'), shards).message).toBe(
      'Ring v2 sends Barbara Liskov to shard-2, but the row is still on shard-1: that resize moved nothing, so a read by id misses. Reset the chapter and add the shard with rebalancing.',
    );
  });
});
