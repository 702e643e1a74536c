import { z } from 'zod';
import { fail, pass, type CheckKind } from '../check-kind.js';

const spec = z.strictObject({ kind: z.literal('given-servers') });

/**
 * The lab runs on servers it was given (LAB_SHARDS), not on its own. As a step's `unless` it skips what only
 * the lab's own servers allow — a chapter's reset removing the replica it added, say — since a given replica is
 * the user's to keep.
 */
export const givenServers: CheckKind<z.output<typeof spec>> = {
  kind: 'given-servers',
  spec,
  async run(_s, { lab }) {
    return lab.cluster.ownsServers
      ? fail('The lab runs its own PostgreSQL servers.')
      : pass('The lab runs on servers given to it (LAB_SHARDS): their replicas are yours to keep, and stay.');
  },
};
