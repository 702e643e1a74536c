import { z } from 'zod';
import type { CheckKind, CheckResult } from './check-kind.js';
import type { Answer, ExerciseContext } from './context.js';
import type { AnswerSpec } from './views.js';
import { abChange } from './checks/ab-change.js';
import { abRuns } from './checks/ab-runs.js';
import { all } from './checks/all.js';
import { drillLagging } from './checks/drill-lagging.js';
import { conversationSpread } from './checks/conversation-spread.js';
import { fkDemo } from './checks/fk-demo.js';
import { jobUnderLoad } from './checks/job-under-load.js';
import { largestShare } from './checks/largest-share.js';
import { loadtestRun } from './checks/loadtest-run.js';
import { migrationDrill } from './checks/migration-drill.js';
import { queueUnderLoad } from './checks/queue-under-load.js';
import { schemaDrift } from './checks/schema-drift.js';
import { knobUnderLoad } from './checks/knob-under-load.js';
import { poolFormula } from './checks/pool-formula.js';
import { cleanRun } from './checks/clean-run.js';
import { namedStatements } from './checks/named-statements.js';
import { pooledClients } from './checks/pooled-clients.js';
import { cacheTrial } from './checks/cache-trial.js';
import { ladder } from './checks/ladder.js';
import { readPolicy } from './checks/read-policy.js';
import { readTrial } from './checks/read-trial.js';
import { readLoad } from './checks/read-load.js';
import { replica } from './checks/replica.js';
import { replicaCounts } from './checks/replica-counts.js';
import { misplacedRows } from './checks/misplaced-rows.js';
import { raceResult } from './checks/race-result.js';
import { outboxDrill } from './checks/outbox-drill.js';
import { usernameWinners } from './checks/username-winners.js';
import { referencesClean } from './checks/references-clean.js';
import { movedFraction } from './checks/moved-fraction.js';
import { partitionedUsers } from './checks/partitioned-users.js';
import { faithfulLoss } from './checks/faithful-loss.js';
import { parallelWorkers } from './checks/parallel-workers.js';
import { partitionSkew } from './checks/partition-skew.js';
import { partitionsRead } from './checks/partitions-read.js';
import { monthRetired } from './checks/month-retired.js';
import { route } from './checks/route.js';
import { scatterRows } from './checks/scatter-rows.js';
import { offsetRows } from './checks/offset-rows.js';
import { shardVerdict } from './checks/shard-verdict.js';
import { shardCount } from './checks/shard-count.js';
import { shardShare } from './checks/shard-share.js';
import { shardsUp } from './checks/shards-up.js';
import { smallestShard } from './checks/smallest-shard.js';
import { traceAnswer } from './checks/trace-answer.js';
import { starvedRun } from './checks/starved-run.js';
import { topStatement } from './checks/top-statement.js';
import { crashLoss } from './checks/crash-loss.js';
import { staleShare } from './checks/stale-share.js';
import { userShard } from './checks/user-shard.js';
import { usersTotal } from './checks/users-total.js';
import { uuidTime } from './checks/uuid-time.js';
import { liveTrace } from './checks/live-trace.js';
import { keyFate } from './checks/key-fate.js';
import { idLocality } from './checks/id-locality.js';
import { claimWalkthrough } from './checks/claim-walkthrough.js';
import { raceUnderLoad } from './checks/race-under-load.js';
import { workersLive } from './checks/workers-live.js';
import { predictedMove } from './checks/predicted-move.js';
import { cpuLimit } from './checks/cpu-limit.js';
import { givenServers } from './checks/given-servers.js';
import { prediction } from './checks/prediction.js';
import { starvedAtScale } from './checks/starved-at-scale.js';

/**
 * Every check kind a chapter may name. A new kind is a file in `checks/` and one line here.
 * A function rather than a constant: `checks/all.ts` imports this file back, so while either loads the
 * other's exports may not exist yet; by the first call both have.
 */
const checkKinds = () =>
  [
    usersTotal,
    shardCount,
    shardsUp,
    misplacedRows,
    smallestShard,
    largestShare,
    shardShare,
    jobUnderLoad,
    replicaCounts,
    route,
    userShard,
    movedFraction,
    loadtestRun,
    partitionedUsers,
    faithfulLoss,
    parallelWorkers,
    partitionSkew,
    partitionsRead,
    monthRetired,
    migrationDrill,
    drillLagging,
    traceAnswer,
    scatterRows,
    offsetRows,
    shardVerdict,
    uuidTime,
    starvedRun,
    poolFormula,
    abRuns,
    abChange,
    knobUnderLoad,
    topStatement,
    crashLoss,
    conversationSpread,
    fkDemo,
    referencesClean,
    raceResult,
    outboxDrill,
    usernameWinners,
    replica,
    readPolicy,
    readTrial,
    readLoad,
    staleShare,
    cleanRun,
    queueUnderLoad,
    schemaDrift,
    liveTrace,
    keyFate,
    idLocality,
    pooledClients,
    namedStatements,
    cacheTrial,
    claimWalkthrough,
    raceUnderLoad,
    workersLive,
    ladder,
    predictedMove,
    cpuLimit,
    givenServers,
    prediction,
    starvedAtScale,
    all,
  ] as const;

type SpecOf<K> = K extends CheckKind<infer S> ? S : never;

/** A check, as chapter files write it (`check: {kind: shard-count, equals: 6}`). */
export type CheckSpec = SpecOf<ReturnType<typeof checkKinds>[number]>;

/** Each kind's schema parses exactly its own specs; zod cannot follow that through a list built at run time, hence the cast. */
export const CheckSpecSchema: z.ZodType<CheckSpec> = z.lazy(() => {
  const [first, ...rest] = checkKinds();
  return z.discriminatedUnion('kind', [first.spec, ...rest.map((k) => k.spec)]) as z.ZodType<CheckSpec>;
});

let byKind: Map<string, CheckKind<CheckSpec>> | undefined;

function kindOf(spec: CheckSpec): CheckKind<CheckSpec> {
  byKind ??= new Map(checkKinds().map((k): [string, CheckKind<CheckSpec>] => [k.kind, k]));
  const kind = byKind.get(spec.kind);
  if (!kind) throw new Error(`unknown check kind '${spec.kind}'`);
  return kind;
}

/** Runs a check against the live cluster. */
export function runCheck(ctx: ExerciseContext, spec: CheckSpec, answer: Answer | undefined): Promise<CheckResult> {
  return kindOf(spec).run(spec, ctx, answer);
}

/** The input a check asks the learner for, or null when it only inspects the cluster. */
export function answerSpec(spec: CheckSpec): AnswerSpec | null {
  return kindOf(spec).question?.input(spec) ?? null;
}

/** The right answer, measured now: what "Solve it for me" submits for exercises that ask a question. */
export async function referenceAnswer(ctx: ExerciseContext, spec: CheckSpec): Promise<Answer | null> {
  return (await kindOf(spec).question?.answer(spec, ctx)) ?? null;
}
