import type { Answer } from '../context.js';

/** The shard a learner named, if it exists: accepts `shard-3`, `3` or ` Shard-3 `. */
export function shardAnswer(answer: Answer | undefined, shards: readonly string[]): string | null {
  if (answer === undefined) return null;
  const raw = String(answer).trim().toLowerCase();
  const name = /^\d+$/.test(raw) ? `shard-${raw}` : raw;
  return shards.includes(name) ? name : null;
}

/** What to tell a learner whose answer names no shard. */
export function noSuchShard(answer: Answer | undefined): string {
  return answer === undefined ? 'Pick a shard first.' : `There is no shard '${answer}'.`;
}
