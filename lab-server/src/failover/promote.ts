import type { Promotion } from '../cluster/handover.js';
import { ClusterError } from '../cluster/errors.js';
import { parseLsn } from '../cluster/reads.js';
import type { Lab } from '../lab/lab.js';

/** What a promotion may touch of the running lab: the ring and its write gate, the cluster's handover, the read bookkeeping. */
export type PromotionHost = Pick<Lab, 'jobs' | 'cluster' | 'ring' | 'reads' | 'peers'>;

/** How many of the writes a failover may have lost are listed by id (the count is always whole). */
const LISTED = 20;

export interface PromotionReport extends Promotion {
  shard: string;
  ring_version: number;
  /** How long requests for the shard's keys waited (they were held, not refused). */
  pause_ms: number;
  /** User writes the lab acknowledged after the replica's last received WAL position: what a failover loses. */
  writes_at_risk: { count: number; user_ids: string[] };
}

/**
 * Promotes a shard's replica while the lab serves traffic: writes to the shard's keys wait at the write gate
 * and its reads wait for the handover (none fails), the cluster swaps the servers, a new ring version records the new primary's address (so a
 * restart starts it), and the report says what, if anything, the promotion may have lost.
 */
export function promote(lab: PromotionHost, shardName: string): Promise<PromotionReport> {
  const busy = lab.jobs.current;
  if (busy && (busy.kind === 'add-shard' || busy.kind === 'remove-shard')) {
    return Promise.reject(
      new ClusterError(`A ${busy.kind} job (${busy.id}) is running; promote once it has ended, since its replication streams run on ${shardName}'s primary.`),
    );
  }
  return lab.ring.changeTopology(() => promoteNow(lab, shardName));
}

async function promoteNow(lab: PromotionHost, shardName: string): Promise<PromotionReport> {
  const shard = lab.cluster.byName(shardName);
  if (!shard) throw new ClusterError(`No shard named '${shardName}'.`);
  const started = performance.now();
  await lab.ring.fence({ shard: shard.id });
  let promotion: Promotion;
  let ringVersion: number;
  try {
    promotion = await lab.cluster.handover.promote(shard.id);
    const promoted = lab.cluster.specs().find((s) => s.id === shard.id)!;
    const shards = lab.ring.version.shards.map((s) => (s.id === shard.id ? promoted : s));
    const ring = await lab.ring.switch({
      ...lab.ring.with(shards),
      reason: `promote ${shard.name}'s replica (${promotion.kind}): primary now on port ${promoted.port}`,
    });
    ringVersion = ring.version;
  } finally {
    await lab.ring.lift();
  }
  const pauseMs = Math.round(performance.now() - started);
  // Under prefork the workers served the writes; each knows its own and those the others told it of.
  const atRisk = [
    ...new Set([
      ...lab.reads.writtenAfter(shard.id, parseLsn(promotion.received_lsn)),
      ...((await lab.peers?.writtenAfter(shard.id, promotion.received_lsn)) ?? []),
    ]),
  ];
  lab.reads.forgetShard(shard.id);
  return {
    shard: shard.name,
    ...promotion,
    ring_version: ringVersion,
    pause_ms: pauseMs,
    writes_at_risk: { count: atRisk.length, user_ids: atRisk.slice(0, LISTED) },
  };
}
