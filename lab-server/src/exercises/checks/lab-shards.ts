import type { ExerciseLab } from '../context.js';

/** Every shard the cluster runs, in or out of the ring: the names a learner's shard answer may use. */
export const shardNames = (lab: ExerciseLab): string[] => lab.cluster.shards.map((s) => s.name);

/** The fraction of the hash space the ring in force gives each of its shards, by name. */
export function ringShares(lab: ExerciseLab): Map<string, number> {
  const shares = lab.ring.router.strategy.shares();
  return new Map(lab.ring.router.names.map((name, i) => [name, shares[i] ?? 0]));
}
