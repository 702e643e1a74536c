import type pg from 'pg';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.js';
import { type KnobHost, readKnobs, resetKnobs, setKnob, type Knob } from './knobs.js';

/**
 * Profiles: named sets of knob values applied in one step — the original before and after its tuning, the
 * lab's defaults, and the learner's own. Applying one first puts every knob back to its default, so a profile
 * is the whole state and two profiles can be compared run against run. Knobs a profile cannot set while the
 * lab runs (restart-only parameters, the prefork worker count) are listed with the reason, never faked.
 */
export interface Profile {
  name: string;
  title: string;
  description: string;
  builtin: boolean;
  /** Knob → value, as the knob panel takes it. */
  values: Record<string, string>;
  /** What the original also set that this lab does not apply with the profile, and why. */
  not_applied: { knob: string; value: string; why: string }[];
}

const RESTART = 'read only when the server starts; the lab does not restart shards for a profile';

/** The knobs the original's PERFORMANCE_TUNING.md turned: [before its tuning, after it]. */
const ORIGINAL: Record<string, readonly [before: string, after: string]> = {
  pool_max: ['25', '100'],
  pool_wait_timeout_ms: ['10000', '5000'],
  statement_timeout_ms: ['0', '5000'],
  idle_in_transaction_timeout_ms: ['0', '30000'],
  data_layer: ['prisma', 'pg'],
  prepared_statements: ['off', 'on'],
  synchronous_commit: ['on', 'off'],
  work_mem: ['4MB', '16MB'],
  effective_cache_size: ['4GB', '512MB'],
  random_page_cost: ['4', '1.1'],
  checkpoint_completion_target: ['0.5', '0.9'],
};

/** What the original also set that only a restart reads: [before, after], listed by a profile as not applied. */
const ORIGINAL_AT_START: Record<string, readonly [before: string, after: string]> = {
  max_connections: ['100', '500'],
  shared_buffers: ['128MB', '256MB'],
};

/** The original before (0) or after (1) its tuning, as a built-in profile. */
function original(i: 0 | 1, profile: Pick<Profile, 'name' | 'title' | 'description'>, alsoNotApplied: Profile['not_applied'] = []): Profile {
  return {
    ...profile,
    builtin: true,
    values: Object.fromEntries(Object.entries(ORIGINAL).map(([k, v]) => [k, v[i]])),
    not_applied: [...Object.entries(ORIGINAL_AT_START).map(([knob, v]) => ({ knob, value: v[i], why: RESTART })), ...alsoNotApplied],
  };
}

const BUILTIN: Profile[] = [
  {
    name: 'lab-default',
    title: 'Lab default',
    description: 'Every knob as the environment set it at start, and PostgreSQL’s own values.',
    builtin: true,
    values: {},
    not_applied: [],
  },
  original(0, {
    name: 'original-before',
    title: 'As the original before tuning',
    description:
      'PERFORMANCE_TUNING.md’s “before”: a pool of 25 with no timeouts of its own, an ORM with its defaults (here Prisma, without prepared statements), PostgreSQL’s defaults, and checkpoint_completion_target at the 0.5 the guide calls the default.',
  }),
  original(
    1,
    {
      name: 'original-after',
      title: 'As the original after tuning',
      description:
        'PERFORMANCE_TUNING.md’s “after”: a pool of 100, 5 s statement and 30 s idle-in-transaction timeouts, raw queries with prepared statements, synchronous_commit off and its memory and planner settings.',
    },
    [{ knob: 'workers', value: '8', why: 'eight processes would not fit this machine’s cores; set the workers knob to what it has' }],
  ),
];

/**
 * What a learner's own profile keeps: every knob a profile can set, but not restart-only ones, and not the
 * worker count (replacing every worker on each apply would make profiles slow to compare).
 */
// A value that differs between shards ("shard-0: 4MB, shard-1: 8MB") is not one value a profile could set.
const saveable = (k: Knob) => (k.applies === 'live' || k.applies === 'reload') && k.name !== 'workers' && !/^shard-\S+: /.test(k.value);

/** The profiles: the built-in ones, and the learner's own, kept in the catalog so they survive a restart of the lab. */
export class Profiles {
  constructor(private readonly catalog: pg.Pool) {}

  async list(): Promise<Profile[]> {
    const { rows } = await this.catalog.query<{ profile: Profile }>('SELECT profile FROM tuning_profiles ORDER BY saved_at, name');
    return [...BUILTIN, ...rows.map((r) => r.profile)];
  }

  async get(name: string): Promise<Profile> {
    const all = await this.list();
    const p = all.find((x) => x.name === name);
    if (!p) throw new NotFoundError(`No profile '${name}'; the profiles are ${all.map((x) => x.name).join(', ')}.`, { profile: name });
    return p;
  }

  /** Every knob to its default, then the profile's values; answers the knobs as they are now. */
  async apply(host: KnobHost, name: string): Promise<Knob[]> {
    const p = await this.get(name);
    await resetKnobs(host);
    for (const [knob, value] of Object.entries(p.values)) await setKnob(host, knob, value);
    host.changed('profile', name);
    return readKnobs(host);
  }

  /** Keeps the knobs in force now as the learner's own profile (a profile of that name is replaced). */
  async save(host: KnobHost, name: string): Promise<Profile> {
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name))
      throw new InvalidInputError('invalid_name', 'A profile name is 1–40 lower-case letters, digits and dashes, starting with a letter or digit.');
    if (BUILTIN.some((b) => b.name === name)) throw new ConflictError('builtin_profile', `'${name}' is a built-in profile; choose another name.`);
    const knobs = (await readKnobs(host)).filter(saveable);
    const profile: Profile = {
      name,
      title: name,
      description: `Saved at ${new Date().toISOString()}: the knobs that differed from their defaults then are ${
        knobs
          .filter((k) => k.changed)
          .map((k) => `${k.name} ${k.value}`)
          .join(', ') || 'none'
      }.`,
      builtin: false,
      values: Object.fromEntries(knobs.map((k) => [k.name, k.value])),
      not_applied: [],
    };
    await this.catalog.query(
      `INSERT INTO tuning_profiles (name, profile) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET profile = EXCLUDED.profile, saved_at = now()`,
      [name, JSON.stringify(profile)],
    );
    return profile;
  }

  async remove(name: string): Promise<void> {
    if (BUILTIN.some((b) => b.name === name)) throw new ConflictError('builtin_profile', `'${name}' is a built-in profile and stays.`);
    const { rowCount } = await this.catalog.query('DELETE FROM tuning_profiles WHERE name = $1', [name]);
    if (!rowCount) await this.get(name);
  }
}
