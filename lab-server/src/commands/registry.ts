import type { Command } from './command.js';
import clear from './clear.js';
import explain from './explain.js';
import * as fk from './fk.js';
import health from './health.js';
import id from './id.js';
import fate from './fate.js';
import idLocality from './id-locality.js';
import advise from './advise.js';
import paging from './paging.js';
import pauses from './pauses.js';
import * as jobs from './jobs.js';
import * as cluster from './local/cluster.js';
import dbShell from './local/db-shell.js';
import loadtest from './loadtest.js';
import * as loadtestRuns from './loadtest-runs.js';
import * as migrate from './migrate.js';
import * as partitions from './partitions.js';
import * as partitionsMonths from './partitions-months.js';
import * as partitionsStartup from './partitions-startup.js';
import * as drill from './migrate-drill.js';
import * as pooling from './pooling.js';
import * as cache from './cache.js';
import * as ladder from './ladder.js';
import * as reads from './reads.js';
import ring from './ring.js';
import route from './route.js';
import seed from './seed.js';
import shards from './shards.js';
import shardsAdd from './shards-add.js';
import * as faults from './shards-fault.js';
import shardsPlan from './shards-plan.js';
import shardsPromote from './shards-promote.js';
import shardsRemove from './shards-remove.js';
import shardsReplica from './shards-replica.js';
import sql from './sql.js';
import * as starts from './starts.js';
import stats from './stats.js';
import trace from './trace.js';
import * as tune from './tune.js';
import * as tuneStatements from './tune-statements.js';
import * as tuneCrash from './tune-crash.js';
import * as tuneProfiles from './tune-profiles.js';
import * as tuneRestart from './tune-restart.js';
import * as tunePredict from './tune-predict.js';
import * as tuneStarve from './tune-starve.js';
import * as tuneBreakdown from './tune-breakdown.js';
import * as tuneMemory from './tune-memory.js';
import * as tuneShapes from './tune-shapes.js';
import * as tuneBudget from './tune-budget.js';
import * as claims from './claims.js';
import * as user from './user.js';

/**
 * Every command of the CLI and the browser terminal, in the order `help` lists them. A new command is a
 * module in this folder and one line here; its `frontEnds` says if only one front end offers it.
 */
export const COMMANDS: readonly Command[] = [
  shards,
  shardsPlan,
  shardsAdd,
  shardsRemove,
  faults.kill,
  faults.start,
  faults.pause,
  faults.resume,
  shardsReplica,
  shardsPromote,
  reads.delay,
  reads.remove,
  reads.show,
  reads.policy,
  reads.trial,
  reads.underLoad,
  pooling.show,
  pooling.set,
  pooling.demo,
  pooling.clients,
  pooling.statements,
  cache.show,
  cache.mode,
  cache.trial,
  ladder.show,
  ladder.climb,
  stats,
  ring,
  route,
  trace,
  id,
  fate,
  idLocality,
  paging,
  pauses,
  advise,
  user.create,
  user.read,
  fk.demo,
  fk.sample,
  fk.map,
  fk.audit,
  fk.race,
  fk.usernameRace,
  fk.outbox,
  fk.outboxDrill,
  fk.constraints,
  fk.claim,
  fk.name,
  seed,
  migrate.status,
  migrate.up,
  migrate.latest,
  migrate.down,
  migrate.make,
  drill.status,
  drill.run,
  drill.fault,
  drill.clear,
  drill.crash,
  drill.unlock,
  drill.probe,
  drill.queue,
  drill.ddl,
  drill.drift,
  drill.reset,
  drill.requests,
  drill.rename,
  jobs.list,
  jobs.cancel,
  jobs.resume,
  loadtest,
  loadtestRuns.scenarios,
  loadtestRuns.list,
  loadtestRuns.show,
  loadtestRuns.compare,
  loadtestRuns.cancel,
  health,
  tune.list,
  tune.set,
  tune.reset,
  claims.list,
  claims.measure,
  starts.chapterStart,
  starts.chapterReset,
  starts.list,
  starts.restore,
  starts.drop,
  tune.knobs,
  tune.knob,
  tune.knobsReset,
  tuneStatements.top,
  tuneStatements.topReset,
  tuneCrash.crash,
  tuneCrash.crashes,
  tuneProfiles.profiles,
  tuneProfiles.apply,
  tuneProfiles.save,
  tuneRestart.restart,
  tunePredict.predict,
  tunePredict.predictions,
  tuneStarve.starve,
  tuneBreakdown.breakdown,
  tuneBreakdown.breakdownReset,
  tuneMemory.memory,
  tuneShapes.shapes,
  tuneBudget.budget,
  sql,
  explain,
  partitions.show,
  partitions.build,
  partitions.drop,
  partitions.prune,
  partitionsMonths.show,
  partitionsMonths.build,
  partitionsMonths.retire,
  partitionsStartup.startup,
  dbShell,
  cluster.clusterUp,
  cluster.clusterDown,
  cluster.clusterStatus,
  cluster.clusterRun,
  cluster.reset,
  clear,
];

/** Other words for a command's first word: the terminal has always said `shard add`, the CLI `shards add`. */
export const ALIASES: Readonly<Record<string, string>> = { shard: 'shards' };
