import type { Lab } from '../../lab/lab.js';

/** Every shard the cluster runs, in or out of the ring: the names a learner's shard answer may use. */
export const shardNames = (lab: Lab): string[] => lab.cluster.shards.map((s) => s.name);

/** The fraction of the hash space the ring in force gives each of its shards, by name. */
export function ringShares(lab: Lab): Map<string, number> {
  const shares = lab.router.strategy.shares();
  return new Map(lab.router.names.map((name, i) => [name, shares[i] ?? 0]));
}
