import { z } from 'zod';
import { ReadLoadTrialSchema } from '../../contracts/read-load.js';

// The read-policy API's reply shapes (`/lab/v1/reads`), following reads/trial.ts field by field.

const Policy = z.enum(['primary', 'replica', 'read-your-writes']);

const TrialReplica = z.object({
  shard: z.string(),
  replica: z.string(),
  lag_bytes: z.number().nullable().describe('WAL the replica had not replayed when the trial started'),
  apply_delay_ms: z.number().nullable().describe("the replica's recovery_min_apply_delay"),
});

export const ReadTrialSchema = z
  .object({
    finished_at: z.string(),
    pairs: z.number(),
    concurrency: z.number(),
    replicas: z.array(TrialReplica),
    results: z.array(
      z.object({
        policy: Policy,
        pairs: z.number(),
        not_found: z.number().describe('reads that answered 404 for a user the client had just created: stale reads, as the client saw them'),
        errors: z.number().describe('requests that failed otherwise'),
        primary_reads: z.number(),
        replica_reads: z.number(),
        stale_reads: z.number().describe("the read router's stale-read count over the run"),
        ms: z.number(),
      }),
    ),
  })
  .meta({ id: 'ReadTrial' });

export const ReadsSchema = z
  .object({
    policy: Policy,
    primary_reads: z.number(),
    replica_reads: z.number(),
    stale_reads: z.number(),
    replicas: z.array(
      z.object({
        shard: z.string(),
        replica: z.string(),
        status: z.enum(['up', 'down']),
        error: z.string().nullable().describe("why it is down: the health probe's error, or how its server exited; null while up"),
        log: z.array(z.string()).describe("a down replica's last server log lines (empty while up, or when another process runs it)"),
        lag_bytes: z.number().nullable(),
        lag_seconds: z.number().nullable(),
        apply_delay_ms: z.number().nullable().describe('null when the replica does not answer'),
      }),
    ),
    last_trial: ReadTrialSchema.nullable(),
    last_load: ReadLoadTrialSchema.nullable().describe('the last comparison under load (POST /lab/v1/reads/load)'),
  })
  .meta({ id: 'Reads' });

export const ReplicaDelaySchema = z.object({ shard: z.string(), replica: z.string(), apply_delay_ms: z.number() }).meta({ id: 'ReplicaDelay' });
