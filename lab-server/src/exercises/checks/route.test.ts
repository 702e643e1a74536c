import { describe, expect, it } from 'vitest';
import { Md5Ring } from '../../sharding/md5-ring.js';
import { Router } from '../../sharding/router.js';
import { defaultShardNames } from '../../sharding/strategies.js';
import golden from '../../sharding/testdata/md5-ring.golden.json' with { type: 'json' };
import { judgeRoute, route } from './route.js';

const names = defaultShardNames(5);
const router = new Router(new Md5Ring(names, golden.vnodes), names);
// A key whose shard the original project computed: shard 3 of 5.
const { key, hash, shardOf5 } = golden.routes.cases.find((c) => c.key === '019478a1-3c5f-7d9e-8b3c-4a5f6e7d8c9b')!;
const spec = route.spec.parse({ kind: 'route', key });

describe('route check', () => {
  it('needs a UUID key', () => {
    expect(route.spec.safeParse({ kind: 'route', key: 'user-42' }).error?.issues[0]?.message).toBe('key must be a UUID');
    expect(route.spec.safeParse({ kind: 'route' }).success).toBe(false);
  });

  it('asks for a shard, naming the key', () => {
    expect(route.question?.input(spec)).toEqual({ type: 'shard', label: `Which shard owns ${key}?` });
  });

  it('passes the owner the original computed, showing the hash and the virtual node', () => {
    const r = judgeRoute(spec, `shard-${shardOf5}`, router, names);
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(
      new RegExp(
        `^Right: ${key} hashes to [\\d,]+ \\(0x${hash}\\); the first virtual node at or after it is shard-${shardOf5}-vn\\d+, which belongs to shard-${shardOf5}\\.$`,
      ),
    );
  });

  it('fails another shard, pointing at the ring and the terminal', () => {
    expect(judgeRoute(spec, `shard-${(shardOf5 + 1) % 5}`, router, names)).toEqual({
      passed: false,
      message: `Not shard-${(shardOf5 + 1) % 5}. Type the key into the ring's lookup box and follow it clockwise, or run \`route ${key}\` in the terminal.`,
    });
    expect(judgeRoute(spec, undefined, router, names).message).toBe('Pick a shard first.');
    expect(judgeRoute(spec, 'shard-5', router, names).message).toBe("There is no shard 'shard-5'.");
  });
});
