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

const BUILTIN: Profile[] = [
  {
    name: 'lab-default',
    title: 'Lab default',
    description: 'Every knob as the environment set it at start, and PostgreSQL’s own values.',
    builtin: true,
    values: {},
    not_applied: [],
  },
  {
    name: 'original-before',
    title: 'As the original before tuning',
    description:
      'PERFORMANCE_TUNING.md’s “before”: a pool of 25 with no timeouts of its own, an ORM with its defaults (here Prisma, without prepared statements), PostgreSQL’s defaults, and checkpoint_completion_target at the 0.5 the guide calls the default.',
    builtin: true,
    values: {
      pool_max: '25',
      pool_wait_timeout_ms: '10000',
      statement_timeout_ms: '0',
      idle_in_transaction_timeout_ms: '0',
      data_layer: 'prisma',
      prepared_statements: 'off',
      synchronous_commit: 'on',
      work_mem: '4MB',
      effective_cache_size: '4GB',
      random_page_cost: '4',
      checkpoint_completion_target: '0.5',
    },
    not_applied: [
      { knob: 'max_connections', value: '100', why: RESTART },
      { knob: 'shared_buffers', value: '128MB', why: RESTART },
    ],
  },
  {
    name: 'original-after',
    title: 'As the original after tuning',
    description:
      'PERFORMANCE_TUNING.md’s “after”: a pool of 100, 5 s statement and 30 s idle-in-transaction timeouts, raw queries with prepared statements, synchronous_commit off and its memory and planner settings.',
    builtin: true,
    values: {
      pool_max: '100',
      pool_wait_timeout_ms: '5000',
      statement_timeout_ms: '5000',
      idle_in_transaction_timeout_ms: '30000',
      data_layer: 'pg',
      prepared_statements: 'on',
      synchronous_commit: 'off',
      work_mem: '16MB',
      effective_cache_size: '512MB',
      random_page_cost: '1.1',
      checkpoint_completion_target: '0.9',
    },
    not_applied: [
      { knob: 'max_connections', value: '500', why: RESTART },
      { knob: 'shared_buffers', value: '256MB', why: RESTART },
      { knob: 'workers', value: '8', why: 'the prefork worker count is fixed while the lab runs (LAB_WORKERS at start)' },
    ],
  },
];

/** What a learner's own profile keeps: every knob a profile can set (not the worker count, not restart-only ones). */
// A value that differs between shards ("shard-0: 4MB, shard-1: 8MB") is not one value a profile could set.
const saveable = (k: Knob) => (k.applies === 'live' || k.applies === 'reload') && !/^shard-\S+: /.test(k.value);

/** The profiles of this lab process: the built-in ones and the learner's own (kept until the lab stops). */
export class Profiles {
  private readonly own = new Map<string, Profile>();

  list(): Profile[] {
    return [...BUILTIN, ...this.own.values()];
  }

  get(name: string): Profile {
    const p = this.list().find((x) => x.name === name);
    if (!p)
      throw new NotFoundError(
        `No profile '${name}'; the profiles are ${this.list()
          .map((x) => x.name)
          .join(', ')}.`,
        { profile: name },
      );
    return p;
  }

  /** Every knob to its default, then the profile's values; answers the knobs as they are now. */
  async apply(host: KnobHost, name: string): Promise<Knob[]> {
    const p = this.get(name);
    await resetKnobs(host);
    for (const [knob, value] of Object.entries(p.values)) await setKnob(host, knob, value);
    host.changed('profile', name);
    return readKnobs(host);
  }

  /** Keeps the knobs in force now as the learner's own profile. */
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
    this.own.set(name, profile);
    return profile;
  }

  remove(name: string): void {
    if (BUILTIN.some((b) => b.name === name)) throw new ConflictError('builtin_profile', `'${name}' is a built-in profile and stays.`);
    if (!this.own.delete(name)) this.get(name);
  }
}
