import { z } from 'zod';
import { get, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { formatTable } from './format.js';
import { KeyFate } from './replies.js';

const VERDICT: Record<KeyFate['verdict'], string> = {
  routed: 'its row is on that shard: a read by id finds it',
  misplaced: 'its row is on another shard: the ring sends reads where it is not (a resize that moved nothing)',
  absent: 'no shard holds a users row with this id',
};

export default defineCommand({
  name: 'fate',
  usage: 'fate ID',
  summary: 'one id followed through every ring version: hash, virtual node, shard and server at each, when it moved, and where its row is now',
  args: z.object({ _: positionals([arg('ID (a user id)')]) }),
  async run({ _: [id] }, ctx) {
    const f = await get(ctx.lab, `/lab/v1/ids/${seg(id)}/fate`, KeyFate);
    const table = formatTable(
      ['version', 'ring', 'vnode', 'shard', 'port', 'why the ring changed'],
      f.steps.map((s) => [
        s.version,
        `${s.shard_count} shards${s.vnodes ? ` × ${s.vnodes}` : ` ${s.strategy}`}`,
        s.vnode ?? '-',
        s.moved ? ctx.style.bold(`${s.shard} ← moved`) : s.server_changed ? `${s.shard} (new primary)` : s.shard,
        s.port ?? '-',
        s.reason,
      ]),
    );
    const holders = f.rows.filter((r) => r.found).map((r) => r.shard);
    const replica = f.now.replica_port === null ? 'no replica' : `replica on port ${f.now.replica_port}`;
    const moves = f.moves === 0 ? 'never moved' : `moved ${f.moves} time${f.moves === 1 ? '' : 's'}`;
    const lines = [
      `${f.key} → hash ${f.hash}; ${moves}.`,
      `Now: ${f.now.shard} (primary on port ${f.now.port ?? '-'}, ${replica}); row found on ${holders.join(', ') || 'no shard'}: ${VERDICT[f.verdict]}.`,
    ];
    for (const p of f.paused) {
      const moved =
        p.shards_before.join() === p.shards_after.join()
          ? `stayed on ${p.shards_after.join(', ')}`
          : `${p.shards_before.join(', ')} → ${p.shards_after.join(', ')}`;
      lines.push(
        `Paused at the write gate: ${p.request ?? 'a write outside HTTP'} at ${p.paused_at}, waited ${p.waited_ms} ms (${moved}; served by ${p.process}).`,
      );
    }
    if (f.paused.length === 0) lines.push('No request for this id waited at the write gate.');
    return { data: f, text: `${table}\n${lines.join('\n')}` };
  },
});
