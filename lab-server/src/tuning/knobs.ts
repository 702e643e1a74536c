import { DEFAULT_SETTINGS } from '../cluster/embedded-server.js';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { SettingsSchema, type LabSettings } from '../lab/settings.js';
import { isTunable, type TunableParameter } from './parameters.js';
import { readAnswering, resetParameters, setParameter, type ParameterValue, type TunableShard } from './service.js';

/**
 * The tuning chapter's knob panel: every knob the original's PERFORMANCE_TUNING.md turns, with its value
 * here, its default, where it is set, where the original set it, and how a change takes effect. Lab knobs
 * live in the run-time settings (each shard's pool is rebuilt with them); PostgreSQL knobs are parameters
 * on every shard (ALTER SYSTEM and a reload, or a restart).
 */
export type Applies = 'live' | 'reload' | 'restart' | 'fixed';

/** The most prefork workers the knob allows: each is a Node process with its own pools to every shard. */
export const MAX_WORKERS = 8;

export interface Knob {
  name: string;
  kind: 'lab' | 'postgres';
  /** The value in force, as text; for a PostgreSQL knob that differs between shards, each shard's. */
  value: string;
  default: string;
  /** True when the value differs from the default. */
  changed: boolean;
  /** Where this lab sets it (an environment variable, the server's command line, …). */
  set_here: string;
  /** What the original used and where. */
  original: string;
  /** How a change takes effect: live (the next request), reload (PostgreSQL re-reads its settings), restart (the server must restart), fixed (not changeable here yet). */
  applies: Applies;
  /** What changing it costs or risks. */
  cost: string;
  description: string;
  /** Set, but in force only once the shards restart. */
  needs_restart: boolean;
  /** Shards that did not answer when it was read (a PostgreSQL knob): the value is the other shards'. */
  unanswered?: string[];
}

type LabKnob = Exclude<keyof LabSettings, 'read_policy' | 'trace_sample_percent'>;

interface Meta {
  set_here: string;
  original: string;
  cost: string;
  description: string;
}

const LAB_KNOBS: Record<LabKnob, Meta> = {
  pool_max: {
    set_here: 'LAB_POOL_MAX at start (default 20), per lab process and shard',
    original: 'MaxOpenConns 25 before tuning, 100 after (PERFORMANCE_TUNING); 500 in docker-compose, 200 in loadtest-env.sh',
    cost: 'Each lab process opens up to this many connections to each shard; the total must fit under max_connections. Too few and requests queue, then fail with 503 shard_busy.',
    description: 'Connections each lab process may hold to each shard.',
  },
  pool_wait_timeout_ms: {
    set_here: 'LAB_CONNECT_TIMEOUT_MS at start (default 3,000 ms)',
    original: 'none of its own: a request waited for a connection until its context ran out (3 s reads, 5 s writes, 10 s middleware)',
    cost: 'Short: a busy pool fails requests fast (503 shard_busy). Long: requests queue and latency climbs instead.',
    description: 'How long a request waits for a free pool connection before it fails.',
  },
  statement_timeout_ms: {
    set_here: 'LAB_STATEMENT_TIMEOUT_MS at start (default 15,000 ms), sent as each connection’s statement_timeout',
    original: 'context timeouts in the service layer: 3 s reads, 5 s writes (cancelled through pgx)',
    cost: 'Too short cancels legitimate slow statements (seeding, listings over many rows); 0 lets a stuck statement hold its connection forever.',
    description: 'PostgreSQL cancels a request’s statement after this long (0: never).',
  },
  idle_in_transaction_timeout_ms: {
    set_here: 'not set by default (PostgreSQL’s 0: never); sent as each connection’s idle_in_transaction_session_timeout',
    original: 'idle_in_transaction_session_timeout 30000 on the PostgreSQL command line (PERFORMANCE_TUNING)',
    cost: 'Ends a session that opened a transaction and went quiet, releasing its locks; a client that really pauses mid-transaction loses it.',
    description: 'PostgreSQL ends a session idle inside a transaction this long (0: never).',
  },
  data_layer: {
    set_here: 'LAB_DATA_LAYER at start (default pg)',
    original: 'GORM (an ORM) with SkipDefaultTransaction true',
    cost: 'Prisma builds each query through its engine: more CPU per request in this process, same SQL on the shard.',
    description: 'What talks to the shards for the hot user endpoints: pg (hand-written SQL) or Prisma (an ORM).',
  },
  prepared_statements: {
    set_here: 'on by default (the pg layer names its hot statements)',
    original: 'PrepareStmt false on the shard pools, with pgx’s simple protocol; the doc says true',
    cost: 'Off: PostgreSQL parses and plans every statement again. On: each connection keeps its plans; with a transaction-mode pooler in between, named statements need pooler support.',
    description: 'Named statements on the pg data layer: planned once per connection (on) or on every call (off).',
  },
};

const PG_KNOBS: Partial<Record<TunableParameter, { original: string; cost: string }>> = {
  synchronous_commit: {
    original: 'off on the legacy single database (PERFORMANCE_TUNING); on in the sharded compose',
    cost: 'Off: a commit returns before its WAL reaches disk; a crash can lose the last few hundred ms of acknowledged writes (never corrupts).',
  },
  shared_buffers: { original: '256MB (PERFORMANCE_TUNING), 1GB (tune-postgres.sh)', cost: 'Memory taken at start for the page cache; needs a restart.' },
  work_mem: {
    original: '16MB (PERFORMANCE_TUNING), 32MB (tune-postgres.sh)',
    cost: 'Per sort or hash, per connection: many connections × many sorts can exhaust memory.',
  },
  max_connections: {
    original: '500 (PERFORMANCE_TUNING, tune-postgres.sh); the deployed primaries kept 100',
    cost: 'Every connection is a process with its own memory; needs a restart, which the lab performs shard by shard (POST /lab/v1/tuning/restart).',
  },
  effective_cache_size: {
    original: '512MB (PERFORMANCE_TUNING), 3GB (tune-postgres.sh)',
    cost: 'A planner hint only, no memory is taken: too high favours index scans that then read from disk.',
  },
  random_page_cost: {
    original: '1.1 on the replica (PERFORMANCE_TUNING) and in tune-postgres.sh',
    cost: 'A planner hint: low values (SSD) make index scans look cheaper.',
  },
  checkpoint_completion_target: {
    original: '0.9, from a claimed default of 0.5 (the default is 0.9 since PostgreSQL 14)',
    cost: 'Spreads checkpoint writes over the interval; little to gain on a current server.',
  },
};

export const KNOB_NAMES: readonly string[] = [...Object.keys(LAB_KNOBS), 'workers', ...Object.keys(PG_KNOBS)];

/** What the knob panel needs of the running lab. */
export interface KnobHost {
  settings(): LabSettings;
  /** The settings the environment gave at start: what a reset returns to. */
  defaults(): LabSettings;
  update(patch: Partial<LabSettings>): Promise<LabSettings>;
  shards(): readonly TunableShard[];
  /** Prefork processes serving /api/v1 besides the primary now. */
  workers: number;
  /** The worker count LAB_WORKERS gave at start: what a reset returns to. */
  defaultWorkers: number;
  /** Replaces the workers with `count` new ones (0: the primary serves the API alone). */
  setWorkers(count: number): Promise<void>;
  /** Called after a knob changed: the load test marks it on its timeline. */
  changed(name: string, value: string): void;
  /** Called before a change that takes a while; the answer is called once it is done. */
  changing(name: string, value: string): () => void;
}

const text = (v: LabSettings[keyof LabSettings]) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

/** A PostgreSQL setting's compiled-in default in the unit SHOW uses (boot_val counts in the parameter's unit). */
function pgDefault(p: ParameterValue): string {
  const raw = p.boot_val ?? '';
  const n = Number(raw);
  if (!p.unit || Number.isNaN(n)) return raw;
  const kb = p.unit === 'kB' ? n : p.unit === '8kB' ? n * 8 : null;
  if (kb === null) return `${raw}${p.unit}`;
  if (kb % (1024 * 1024) === 0) return `${kb / 1024 / 1024}GB`;
  if (kb % 1024 === 0) return `${kb / 1024}MB`;
  return `${kb}kB`;
}

export async function readKnobs(host: KnobHost): Promise<Knob[]> {
  const now = host.settings();
  const defaults = host.defaults();
  const lab = (Object.keys(LAB_KNOBS) as LabKnob[]).map((name): Knob => {
    const value = text(now[name]);
    const def = text(defaults[name]);
    return { name, kind: 'lab', value, default: def, changed: value !== def, applies: 'live', needs_restart: false, ...LAB_KNOBS[name] };
  });
  const workers: Knob = {
    name: 'workers',
    kind: 'lab',
    value: String(host.workers),
    default: String(host.defaultWorkers),
    changed: host.workers !== host.defaultWorkers,
    set_here: 'LAB_WORKERS at start (0: the primary process serves the API alone); changed here, every worker is replaced',
    original: 'Fiber prefork hard-coded on: 7 processes (GOMAXPROCS), 8 in PERFORMANCE_TUNING, each with its own pools',
    applies: 'live',
    cost: `Each process has its own pool per shard: connections = processes × pool_max × shards. A change starts the new workers, then the old ones finish their requests and their clients reconnect (from or to 0, the primary hands the port over: a few connections may be refused). At most ${MAX_WORKERS}.`,
    description: 'Prefork: processes serving /api/v1 besides the primary.',
    needs_restart: false,
  };
  const { read: shards, unanswered } = await readAnswering(host.shards());
  const pg = (Object.keys(PG_KNOBS) as TunableParameter[]).map((name): Knob => {
    const per = shards.map((s) => ({ shard: s.shard, p: s.parameters.find((x) => x.name === name)! }));
    const first = per[0]?.p;
    const same = per.every((x) => x.p.setting === first?.setting);
    const value = same ? (first?.setting ?? '') : per.map((x) => `${x.shard}: ${x.p.setting}`).join(', ');
    // Unchanged by the lab, what is in force is what a reset returns to; changed, PostgreSQL's own default.
    const def = !first ? '' : first.altered ? pgDefault(first) : first.setting;
    // A value on the command line wins at every start, so PostgreSQL's pending_restart (raised by postgresql.conf's
    // own max_connections after any reload) means nothing there; what waits is a value the lab set, which its
    // restart puts on the command line.
    // After a reset the restart brings the lab's own command-line value back.
    const waiting = (p: ParameterValue) =>
      p.source === 'command line' ? (p.file_setting ?? DEFAULT_SETTINGS[p.name] ?? p.setting) !== p.setting : p.pending_restart;
    const pending = per.some((x) => waiting(x.p));
    const w = per.find((x) => waiting(x.p))?.p;
    const wanted = w ? (w.file_setting ?? (w.source === 'command line' ? DEFAULT_SETTINGS[name] : null)) : null;
    const source = first?.source ?? 'default';
    return {
      name,
      kind: 'postgres',
      value: pending ? `${value} (set${wanted ? ` to ${wanted}` : ''}; needs a restart)` : value,
      default: def,
      changed: per.some((x) => x.p.altered || x.p.file_setting !== null),
      needs_restart: pending,
      set_here:
        source === 'command line'
          ? first?.file_setting === first?.setting && first?.file_setting !== null
            ? 'set with this knob (ALTER SYSTEM): every start of a shard, by the lab or its restart job, puts it on the command line until the knob is reset'
            : 'the lab starts each shard with it on the command line; a value set here is applied by the lab’s restart of the shards'
          : first?.altered
            ? 'ALTER SYSTEM on every shard (by this lab)'
            : source === 'configuration file'
              ? 'the shard’s postgresql.conf'
              : 'PostgreSQL’s default',
      original: PG_KNOBS[name]!.original,
      applies: first?.context === 'postmaster' ? 'restart' : 'reload',
      cost: PG_KNOBS[name]!.cost,
      description: first?.description ?? '',
      ...(unanswered.length > 0 ? { unanswered } : {}),
    };
  });
  return [...lab, workers, ...pg];
}

/** The value as the setting's schema wants it: the CLI and the page send text ("64", "off"). */
function parseLab(name: LabKnob, value: string | number | boolean): LabSettings[LabKnob] {
  const schema = SettingsSchema.shape[name];
  let v: unknown = value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (name === 'prepared_statements') v = ['on', 'true', '1', 'yes'].includes(t) ? true : ['off', 'false', '0', 'no'].includes(t) ? false : value;
    else if (name !== 'data_layer' && /^\d+$/.test(t)) v = Number(t);
    else v = t;
  }
  const parsed = schema.safeParse(v);
  if (!parsed.success)
    throw new InvalidInputError('invalid_value', `${parsed.error.issues[0]?.message ?? 'invalid value'}. Nothing was changed.`, { knob: name });
  return parsed.data as LabSettings[LabKnob];
}

/** Sets one knob (null: back to its default) and answers every knob as it is now. */
export async function setKnob(host: KnobHost, name: string, value: string | number | boolean | null): Promise<Knob[]> {
  if (name in LAB_KNOBS) {
    const key = name as LabKnob;
    const next = value === null ? host.defaults()[key] : parseLab(key, value);
    await host.update({ [key]: next });
    host.changed(name, text(next));
  } else if (name === 'workers') {
    const count = value === null ? host.defaultWorkers : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_WORKERS)
      throw new InvalidInputError('invalid_value', `workers takes a whole number from 0 to ${MAX_WORKERS}. Nothing was changed.`, { knob: name });
    // The mark goes where the change starts, and says when it ended: the old processes serve until then.
    const done = host.changing(name, String(count));
    await host.setWorkers(count);
    done();
  } else if (isTunable(name) && name in PG_KNOBS) {
    if (value !== null && typeof value !== 'string')
      throw new InvalidInputError('invalid_value', `${name} takes a string as PostgreSQL writes it (e.g. 64MB, off).`);
    await setParameter(host.shards(), name, value);
    host.changed(name, value ?? 'default');
  } else {
    throw new NotFoundError(
      `'${name}' is not a knob of the panel; these are: ${KNOB_NAMES.join(', ')}. Other PostgreSQL parameters: PUT /lab/v1/tuning/parameters/{name}.`,
      {
        knob: name,
        knobs: KNOB_NAMES,
      },
    );
  }
  return readKnobs(host);
}

/**
 * Remembers the named knobs as they are now; the function it returns puts back each one that differs by then
 * (a job that turns knobs calls it when it ends, however it ends).
 */
export async function rememberKnobs(host: KnobHost, names: readonly string[]): Promise<() => Promise<void>> {
  const before = new Map((await readKnobs(host)).map((k) => [k.name, k]));
  return async () => {
    const now = new Map((await readKnobs(host)).map((k) => [k.name, k.value]));
    for (const name of names) {
      const was = before.get(name);
      if (was && now.get(name) !== was.value) await setKnob(host, name, was.changed ? was.value : null);
    }
  };
}

/** Every knob back to its default: the lab's settings, and every allowed PostgreSQL parameter the lab set. */
export async function resetKnobs(host: KnobHost): Promise<Knob[]> {
  const defaults = host.defaults();
  const { read_policy: _keep, trace_sample_percent: _sampling, ...labDefaults } = defaults;
  await host.update(labDefaults);
  if (host.workers !== host.defaultWorkers) await host.setWorkers(host.defaultWorkers);
  await resetParameters(host.shards());
  host.changed('all knobs', 'defaults');
  return readKnobs(host);
}

/** The knobs as a run records them (name → value), for comparing two runs. */
export async function knobConditions(host: KnobHost): Promise<Record<string, string>> {
  return Object.fromEntries((await readKnobs(host)).map((k) => [k.name, k.value]));
}
