import { z } from 'zod';
import { ConflictError } from '../domain/errors.js';
import { StepFailed } from '../exercises/action-kind.js';
import type { ExerciseContext } from '../exercises/context.js';
import type { Measurement, MeasureKind } from './measure-kind.js';
import { ab } from './measures/ab.js';
import { ddlBlocking } from './measures/ddl-blocking.js';
import { distribution } from './measures/distribution.js';
import { loadtest } from './measures/loadtest.js';
import { referenceStrategy } from './measures/reference-strategy.js';
import { namedStatements } from './measures/named-statements.js';
import { pooledClients } from './measures/pooled-clients.js';
import { lookup } from './measures/lookup.js';
import { partitionSpread } from './measures/partition-spread.js';
import { queryShape } from './measures/query-shape.js';
import { repartition } from './measures/repartition.js';
import { ringMovement } from './measures/ring-movement.js';
import { ringShares } from './measures/ring-shares.js';
import { seedRate } from './measures/seed-rate.js';
import { shardCount } from './measures/shard-count.js';
import { connectionMemory } from './measures/connection-memory.js';
import { connectionBudget } from './measures/connection-budget.js';

/** Every way a chapter's claim may be measured. A new kind is a file in `measures/` and one entry here. */
const measureKinds = [
  shardCount,
  distribution,
  ringShares,
  ringMovement,
  seedRate,
  loadtest,
  ab,
  referenceStrategy,
  ddlBlocking,
  pooledClients,
  namedStatements,
  repartition,
  lookup,
  partitionSpread,
  connectionMemory,
  queryShape,
  connectionBudget,
] as const;

type SpecOf<K> = K extends MeasureKind<infer S> ? S : never;

/** A claim's measurement, as chapter files write it (`measure: {kind: distribution, tolerance: 0.05}`). */
export type MeasureSpec = SpecOf<(typeof measureKinds)[number]>;

/** Each kind's schema parses exactly its own specs; zod cannot follow that through a list, hence the cast. */
export const MeasureSpecSchema = z.discriminatedUnion('kind', [
  measureKinds[0].spec,
  ...measureKinds.slice(1).map((k) => k.spec),
]) as unknown as z.ZodType<MeasureSpec>;

const byKind = new Map(measureKinds.map((k): [string, MeasureKind<MeasureSpec>] => [k.kind, k as unknown as MeasureKind<MeasureSpec>]));

function kindOf(spec: MeasureSpec): MeasureKind<MeasureSpec> {
  const kind = byKind.get(spec.kind);
  if (!kind) throw new Error(`unknown measure kind '${spec.kind}'`);
  return kind;
}

/** Measures the claim on the live cluster now; a step that failed (a load test stopped, a seed that failed) is a conflict. */
export async function measureClaim(ctx: ExerciseContext, spec: MeasureSpec): Promise<Measurement> {
  try {
    return await kindOf(spec).measure(spec, ctx);
  } catch (err) {
    if (err instanceof StepFailed) throw new ConflictError('measure_failed', `The measurement did not finish: ${err.message}`);
    throw err;
  }
}

/** What measuring runs on the learner's cluster, or null when it only reads. */
export function measureRuns(spec: MeasureSpec): string | null {
  return kindOf(spec).runs?.(spec) ?? null;
}
