import type pg from 'pg';
import { toIso } from '../messenger/timestamps.js';
import type { TickSample } from './protocol.js';
import type { RunView } from './run.js';

/** A row as stored: the run without its live-only fields, timestamps in PostgreSQL's text form. */
type Row = Omit<RunView, 'pid' | 'progress' | 'timeline'> & { timeline: TickSample[] };

const iso = (t: string | null) => (t === null ? null : toIso(t));

function toView(r: Row, withTimeline: boolean): RunView {
  return {
    id: r.id,
    scenario: r.scenario,
    state: r.state,
    params: r.params,
    target: r.target,
    notes: r.notes,
    conditions: r.conditions ?? {},
    marks: r.marks ?? [],
    pid: null,
    progress: null,
    summary: r.summary,
    error: r.error,
    created_at: iso(r.created_at)!,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    ...(withTimeline ? { timeline: r.timeline } : {}),
  };
}

/** Load-test runs in the catalog (table `loadtest_runs`), so the history outlives the lab process. */
export class RunStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Runs a previous lab process left unfinished (it stopped mid-run) are marked failed, saying why. */
  async closeAbandoned(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE loadtest_runs SET state = 'failed', error = 'the lab stopped during the run', finished_at = now()
       WHERE state IN ('preparing', 'running')`,
    );
    return rowCount ?? 0;
  }

  async save(v: RunView, timeline: TickSample[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO loadtest_runs (id, scenario, state, params, target, notes, summary, timeline, error, created_at, started_at, finished_at, conditions, marks)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, notes = EXCLUDED.notes, summary = EXCLUDED.summary,
         timeline = EXCLUDED.timeline, error = EXCLUDED.error, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
         conditions = EXCLUDED.conditions, marks = EXCLUDED.marks`,
      [
        v.id,
        v.scenario,
        v.state,
        JSON.stringify(v.params),
        v.target,
        JSON.stringify(v.notes),
        v.summary ? JSON.stringify(v.summary) : null,
        JSON.stringify(timeline),
        v.error,
        v.created_at,
        v.started_at,
        v.finished_at,
        JSON.stringify(v.conditions),
        JSON.stringify(v.marks),
      ],
    );
  }

  async get(id: string): Promise<RunView | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM loadtest_runs WHERE id = $1', [id]);
    return rows[0] ? toView(rows[0], true) : null;
  }

  /** Newest first, without the per-second timelines. */
  async list(limit: number): Promise<RunView[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, scenario, state, params, target, notes, summary, '[]'::jsonb AS timeline, error, created_at, started_at, finished_at, conditions, marks
       FROM loadtest_runs ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => toView(r, false));
  }
}
