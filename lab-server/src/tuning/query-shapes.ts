import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MAX_SHAPE_ROUNDS, MIN_SHAPE_ROUNDS, SHAPE_PAIRS, type QueryShapesTrial, type ShapePair, type ShapeResult } from '../contracts/query-shapes.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../domain/errors.js';
import { median } from '../values/median.js';

/**
 * The original's per-query claims measured statement by statement: for each pair, what GORM sends by default
 * and the tuned form, run on one shard's real `users` table through one dedicated connection. The two sides
 * alternate round by round (and swap which goes first), after a warm-up, so the machine's noise hits both alike.
 *
 * The trial writes only users the ring routes to the shard, marks them (first_name 'lab-shapes', last_name its
 * run tag) and deletes them all before it answers, whatever happened.
 */
export interface ShapeShard {
  readonly name: string;
  readonly url: string;
  readonly status: string;
}

export interface QueryShapesHost {
  shards(): readonly ShapeShard[];
  /** Whether the ring routes this user id to the shard. */
  owns(shard: string, id: string): boolean;
  /**
   * Runs the trial as no reshard or promotion runs: one that moved the shard's rows mid-trial would carry the
   * marked users to a shard the cleanup never visits.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether a reshard or promotion runs now: the trial says so rather than wait behind it. */
  changing(): boolean;
}

const MARK = 'lab-shapes';
/** The page a listing handler reads, and the users the trial inserts first so the page is full. */
const PAGE = 50;

interface Shape {
  shape: string;
  sql: string;
  run(c: pg.Client, round: number): Promise<unknown>;
}

interface PairPlan {
  title: string;
  claimed: ShapeResult['claimed'];
  gorm_default: Shape;
  tuned: Shape;
}

interface Fixture {
  tag: string;
  /** Fresh ids on the shard, taken by the inserts of the transaction pair. */
  nextId(): string;
  /** Users the trial inserted first: the page, the row read by id, the rows updated. */
  users: string[];
  /** Their created_at: Save writes back the value it loaded, so an indexed column keeps its value. */
  created: Date;
}

const INSERT = 'INSERT INTO users (id, first_name, last_name, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)';
const insertValues = (id: string, tag: string, at = new Date()) => [id, MARK, tag, `${id.slice(0, 8)}@shapes.invalid`, at, at];
const ORDER_PAGE = `ORDER BY created_at DESC, id DESC LIMIT ${PAGE}`;
const FIRST = 'SELECT * FROM users WHERE users.id = $1 ORDER BY users.id LIMIT 1';
const TAKE = 'SELECT * FROM users WHERE users.id = $1 LIMIT 1';
const SAVE = 'UPDATE users SET first_name = $2, last_name = $3, email = $4, created_at = $5, updated_at = $6 WHERE id = $1';
const DELETE_MARKED = 'DELETE FROM users WHERE first_name = $1 AND last_name = $2';
const UPDATES = 'UPDATE users SET email = $2, updated_at = $3 WHERE id = $1';

function plans(f: Fixture): Record<ShapePair, PairPlan> {
  const email = (round: number) => `r${round}@shapes.invalid`;
  return {
    transaction: {
      title: "GORM's default transaction around a single write, or SkipDefaultTransaction",
      claimed: { min: 25, max: 35, text: '~30 %' },
      gorm_default: {
        shape: 'Create(&user)',
        sql: `BEGIN\n${INSERT}\nCOMMIT`,
        async run(c) {
          await c.query('BEGIN');
          try {
            await c.query(INSERT, insertValues(f.nextId(), f.tag));
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        },
      },
      tuned: { shape: 'Create(&user), SkipDefaultTransaction', sql: INSERT, run: (c) => c.query(INSERT, insertValues(f.nextId(), f.tag)) },
    },
    columns: {
      title: `Every column, or the ones a name list needs, for a page of ${PAGE} users`,
      claimed: { min: 30, max: 50, text: '30–50 %' },
      gorm_default: {
        shape: 'Limit(50).Find(&users)',
        sql: `SELECT * FROM users ${ORDER_PAGE}`,
        run: (c) => c.query(`SELECT * FROM users ${ORDER_PAGE}`),
      },
      tuned: {
        shape: 'Select("id", "first_name", "last_name").Limit(50).Find(&users)',
        sql: `SELECT id, first_name, last_name FROM users ${ORDER_PAGE}`,
        run: (c) => c.query(`SELECT id, first_name, last_name FROM users ${ORDER_PAGE}`),
      },
    },
    take: {
      title: 'One user by primary key: First orders by the key, Take does not',
      claimed: { min: 10, max: 20, text: '10–20 %' },
      gorm_default: { shape: 'First(&user, id)', sql: FIRST, run: (c) => c.query(FIRST, [f.users[0]]) },
      tuned: { shape: 'Take(&user, id)', sql: TAKE, run: (c) => c.query(TAKE, [f.users[0]]) },
    },
    updates: {
      title: 'Change one column: Save writes every column, Updates only the changed ones',
      claimed: { min: 20, max: 30, text: '20–30 %' },
      gorm_default: {
        shape: 'Save(&user)',
        sql: SAVE,
        run: (c, round) => c.query(SAVE, [f.users[1], MARK, f.tag, email(round), f.created, new Date()]),
      },
      tuned: {
        shape: 'Updates(map{"email": …})',
        sql: UPDATES,
        run: (c, round) => c.query(UPDATES, [f.users[2], email(round), new Date()]),
      },
    },
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function stats(side: Shape, us: number[]): ShapeResult['tuned'] {
  const p50 = median(us) ?? 0;
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  return { shape: side.shape, sql: side.sql, mean_us: round1(mean), p50_us: round1(p50), ops_per_s: Math.round(1e6 / mean) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** Both sides `warmup + rounds` times, alternating and swapping which goes first; the warm-up is not counted. */
async function measurePair(c: pg.Client, pair: ShapePair, plan: PairPlan, rounds: number, warmup: number): Promise<ShapeResult> {
  const times = { gorm_default: [] as number[], tuned: [] as number[] };
  for (let i = 0; i < warmup + rounds; i++) {
    const order = i % 2 === 0 ? (['gorm_default', 'tuned'] as const) : (['tuned', 'gorm_default'] as const);
    for (const side of order) {
      const us = await timed(() => plan[side].run(c, i));
      if (i >= warmup) times[side].push(us);
    }
  }
  const gormDefault = stats(plan.gorm_default, times.gorm_default);
  const tuned = stats(plan.tuned, times.tuned);
  const ratio = gormDefault.p50_us / tuned.p50_us;
  return {
    pair,
    title: plan.title,
    gorm_default: gormDefault,
    tuned,
    ratio: Math.round(ratio * 1000) / 1000,
    change_pct: round1((ratio - 1) * 100),
    claimed: plan.claimed,
  };
}

/** The trials of one lab: one at a time (two would measure each other), and the last one kept for GET. */
export class QueryShapeTrials {
  last: QueryShapesTrial | null = null;
  private running = false;

  constructor(private readonly host: QueryShapesHost) {}

  async run(input: { shard?: string; rounds: number; pairs?: readonly ShapePair[] }): Promise<QueryShapesTrial> {
    const shards = this.host.shards();
    const shard = input.shard === undefined ? shards[0] : shards.find((s) => s.name === input.shard);
    if (!shard) throw new NotFoundError(`No shard ${input.shard}; the shards are ${shards.map((s) => s.name).join(', ')}.`, { shard: input.shard });
    if (!Number.isInteger(input.rounds) || input.rounds < MIN_SHAPE_ROUNDS || input.rounds > MAX_SHAPE_ROUNDS)
      throw new InvalidInputError('invalid_rounds', `rounds must be a whole number from ${MIN_SHAPE_ROUNDS} to ${MAX_SHAPE_ROUNDS}.`, { rounds: input.rounds });
    if (shard.status !== 'up')
      throw new ConflictError('shard_not_up', `${shard.name} is ${shard.status}: start it (shards start ${shard.name}) first.`, { shard: shard.name });
    if (this.host.changing())
      throw new ConflictError('topology_changing', 'A shard is being added, removed or promoted; measure once that job has finished (GET /lab/v1/jobs).');
    if (this.running) throw new ConflictError('trial_running', 'A query-shape trial is running; wait for it, two at once would measure each other.');
    this.running = true;
    try {
      this.last = await this.host.exclusive(() => this.trial(shard, input.rounds, input.pairs ?? SHAPE_PAIRS));
      return this.last;
    } finally {
      this.running = false;
    }
  }

  private ownedIds(shard: string, n: number): string[] {
    const ids: string[] = [];
    // A shard being drained may own no part of the ring: give up rather than loop.
    for (let tries = 0; ids.length < n && tries < 1000 + n * 1000; tries++) {
      const id = randomUUID();
      if (this.host.owns(shard, id)) ids.push(id);
    }
    if (ids.length < n) throw new ConflictError('shard_owns_no_keys', `The ring routes no users to ${shard}, so the trial cannot write there.`, { shard });
    return ids;
  }

  private async trial(shard: ShapeShard, rounds: number, pairs: readonly ShapePair[]): Promise<QueryShapesTrial> {
    const warmup = Math.min(50, Math.max(3, Math.ceil(rounds / 10)));
    const tag = `run-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const inserts = pairs.includes('transaction') ? 2 * (warmup + rounds) : 0;
    const ids = this.ownedIds(shard.name, PAGE + inserts);
    const users = ids.slice(0, PAGE);
    let next = PAGE;
    const fixture: Fixture = { tag, users, created: new Date(), nextId: () => ids[next++]! };
    const c = new pg.Client({ connectionString: shard.url, application_name: 'shard-lab query-shapes' });
    await c.connect().catch((err: Error) => {
      throw new UnavailableError('shard_unavailable', `${shard.name} did not answer: ${err.message}`, { shard: shard.name });
    });
    try {
      const results: ShapeResult[] = [];
      try {
        for (const id of users) await c.query(INSERT, insertValues(id, tag, fixture.created));
        const plan = plans(fixture);
        for (const pair of pairs) results.push(await measurePair(c, pair, plan[pair], rounds, warmup));
      } finally {
        // Every row this run wrote carries its tag, whatever stopped it.
        await c.query(DELETE_MARKED, [MARK, tag]);
      }
      const left = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE first_name = $1 AND last_name = $2`, [MARK, tag]);
      return { at: new Date().toISOString(), shard: shard.name, rounds, warmup, pairs: results, rows_written: next, rows_left: left.rows[0]!.n };
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}
