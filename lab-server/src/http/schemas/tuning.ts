import { z } from 'zod';
import { strictBody } from '../../messenger/schema-parts.js';
import { COMMIT_MODES } from '../../tuning/durability.js';
import { TUNABLE_PARAMETERS } from '../../tuning/parameters.js';
import { STATEMENT_ORDERS } from '../../tuning/statements.js';
import { decimalQuery } from '../../values/decimal-query.js';

/** The shapes of `/lab/v1/tuning`: parameters, knobs, top statements, crash runs and profiles. */

const ParameterSchema = z.object({
  name: z.enum(TUNABLE_PARAMETERS),
  setting: z.string().describe('as SHOW prints it, with its unit'),
  unit: z.string().nullable(),
  source: z.string().describe('default, configuration file (set here), command line, …'),
  pending_restart: z.boolean().describe('set, but in force only once the shard restarts'),
  context: z.string().describe('postmaster: at start only; sighup: on reload; user: per session too'),
  description: z.string(),
  boot_val: z.string().nullable().describe("PostgreSQL's compiled-in default, in the parameter's unit"),
  altered: z.boolean().describe('set by ALTER SYSTEM, i.e. by the lab'),
  file_setting: z.string().nullable().describe('what ALTER SYSTEM wrote, even where the command line outranks it'),
});

export const TuningSchema = z.object({ shards: z.array(z.object({ shard: z.string(), parameters: z.array(ParameterSchema) })) }).meta({ id: 'Tuning' });

export const SetBody = strictBody({
  value: z
    .string({ error: 'value is required: a string as PostgreSQL writes it (64MB, 0.9, off), or null to reset' })
    .trim()
    .min(1, 'value must not be empty')
    .max(100, 'value is too long')
    .nullable(),
  shards: z.array(z.string()).min(1, 'name at least one shard, or leave shards out for all of them').optional(),
});

const KnobSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['lab', 'postgres']).describe('lab: the lab process (pools, data layer); postgres: a parameter on every shard'),
    value: z.string().describe('in force now'),
    default: z.string(),
    changed: z.boolean().describe('differs from the default'),
    set_here: z.string().describe('where this lab sets it'),
    original: z.string().describe('what the original used, and where'),
    applies: z
      .enum(['live', 'reload', 'restart', 'fixed'])
      .describe('live: from the next request; reload: PostgreSQL re-reads its settings; restart: the server must restart; fixed: not changeable here yet'),
    cost: z.string().describe('what changing it costs or risks'),
    description: z.string(),
    needs_restart: z.boolean().describe('set, but in force only once the shards restart (POST /lab/v1/tuning/restart)'),
    unanswered: z.array(z.string()).optional().describe("a PostgreSQL knob: shards that did not answer when it was read; the value is the other shards'"),
  })
  .meta({ id: 'Knob' });
export const KnobsSchema = z.object({ knobs: z.array(KnobSchema) }).meta({ id: 'Knobs' });

export const KnobBody = strictBody({
  value: z
    .union([z.string().trim().min(1, 'value must not be empty').max(100, 'value is too long'), z.number(), z.boolean()], {
      error: 'value is required: the new value (a number, on/off, pg/prisma, 64MB …), or null for the default',
    })
    .nullable(),
});

export const StatementsQuery = z.object({
  by: z
    .enum(STATEMENT_ORDERS, { error: `by must be one of ${STATEMENT_ORDERS.join(', ')}` })
    .default('total')
    .describe('total: total execution time; calls: how often; mean: time per call'),
  limit: decimalQuery('limit').pipe(z.number().int().min(1, 'limit must be at least 1').max(50, 'limit must be at most 50')).default(10),
  shard: z.string().min(1).optional().describe('one shard (default: every shard)'),
});

export const StatementsSchema = z
  .object({
    by: z.enum(STATEMENT_ORDERS),
    shards: z.array(
      z.object({
        shard: z.string(),
        since: z.string().describe('when the statistics were last reset'),
        total_ms: z.number().describe('time spent in every tracked statement on this shard'),
        statements: z.array(
          z.object({
            query_id: z.string(),
            query: z.string().describe('normalised: constants replaced by $1, $2, …'),
            calls: z.number(),
            total_ms: z.number(),
            mean_ms: z.number(),
            rows: z.number(),
            share_pct: z.number().describe("share of the shard's statement time"),
            cache_hit_pct: z.number().nullable().describe('blocks found in shared buffers, percent'),
          }),
        ),
      }),
    ),
    unanswered: z.array(z.string()).optional().describe('shards that did not answer (stopped or down): not in `shards`'),
  })
  .meta({ id: 'TopStatements' });

export const CrashBody = strictBody({
  shard: z.string({ error: 'shard is required: the shard to crash (e.g. shard-0)' }).min(1, 'shard is required'),
  synchronous_commit: z.enum(COMMIT_MODES, { error: 'synchronous_commit must be on or off' }),
  writers: z.number().int().min(1, 'writers must be at least 1').max(32, 'writers must be at most 32').default(8),
  write_ms: z.number().int().min(100, 'write_ms must be at least 100').max(10_000, 'write_ms must be at most 10000').default(1500),
});

export const CrashRunSchema = z
  .object({
    run: z.number(),
    shard: z.string(),
    synchronous_commit: z.enum(COMMIT_MODES),
    writers: z.number(),
    write_ms: z.number().describe('how long the writers wrote before the kill'),
    acknowledged: z.number().describe('commits the server acknowledged'),
    lost: z.number().describe('acknowledged commits whose row was gone after recovery'),
    lost_ids: z.array(z.number()).describe('the first lost row numbers'),
    unacknowledged_present: z.number().describe('rows committed whose acknowledgement never arrived (in flight at the kill)'),
    commits_per_s: z.number(),
    recovery_ms: z.number().describe('from the kill to the shard answering again'),
    wal_writer_delay: z.string().describe('the loss window with synchronous_commit off is up to about three of these'),
    at: z.string(),
  })
  .meta({ id: 'CrashRun' });
export const CrashRunsSchema = z.object({ runs: z.array(CrashRunSchema) }).meta({ id: 'CrashRuns' });

export const ProfileSchema = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    builtin: z.boolean().describe('built in, or saved by the learner (kept until the lab stops)'),
    values: z.record(z.string(), z.string()).describe('knob → value; applying puts every other knob back to its default'),
    not_applied: z
      .array(z.object({ knob: z.string(), value: z.string(), why: z.string() }))
      .describe('what the original also set that the profile does not apply here, and why'),
  })
  .meta({ id: 'Profile' });
export const ProfilesSchema = z.object({ profiles: z.array(ProfileSchema) }).meta({ id: 'Profiles' });
export const SaveProfileBody = strictBody({
  name: z.string({ error: 'name is required: lower-case letters, digits and dashes' }).min(1, 'name must not be empty').max(40, 'name is too long'),
});
export const ProfileParams = z.object({ name: z.string().describe('a profile name from GET /lab/v1/tuning/profiles') });
