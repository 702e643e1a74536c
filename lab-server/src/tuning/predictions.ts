import type pg from 'pg';
import type { Prediction, PredictionInput, PredictionMetric } from '../contracts/predictions.js';
import { ConflictError } from '../domain/errors.js';
import { headline } from '../loadtest/compare.js';
import type { RunView } from '../loadtest/run.js';

/** What predictions read of the load tests: the runs, newest first, and one by id. */
export interface RunSource {
  list(limit?: number): Promise<RunView[]>;
  get(id: string): Promise<RunView | null>;
}

interface Row {
  id: number;
  /** Milliseconds since the epoch (the catalog's timestamps arrive as text). */
  at_ms: number;
  metric: PredictionMetric;
  predicted_pct: number;
  note: string;
  before_run: string;
  after_run: string | null;
}

// A run during which a knob turned ran under two settings: it is neither the baseline nor the measurement.
const usable = (r: RunView) => r.state === 'finished' && r.summary !== null && !r.marks.some((m) => m.kind === 'knob');

const ref = (r: RunView, metric: PredictionMetric) => ({ run: r.id, scenario: r.scenario, value: headline(r, metric), finished_at: r.finished_at });

/** The knobs two runs ran under that differ, as `name: a → b`. */
function differed(a: RunView, b: RunView): string[] {
  const names = [...new Set([...Object.keys(a.conditions), ...Object.keys(b.conditions)])].sort();
  return names.filter((n) => a.conditions[n] !== b.conditions[n]).map((n) => `${n}: ${a.conditions[n] ?? '–'} → ${b.conditions[n] ?? '–'}`);
}

/**
 * Predict, then measure: the learner states how a run's number will change against the newest finished run,
 * changes something, and runs the same scenario again. The first such run after the prediction is its
 * measurement. Kept in the catalog (`tuning_predictions`), so the history survives a restart of the lab.
 */
export class Predictions {
  constructor(
    private readonly catalog: pg.Pool,
    private readonly runs: RunSource,
  ) {}

  /** Records a prediction against the newest finished run (409 `no_baseline` when there is none). */
  async predict(input: PredictionInput): Promise<Prediction> {
    const baseline = (await this.runs.list(100)).find(usable);
    if (!baseline)
      throw new ConflictError(
        'no_baseline',
        'A prediction is measured against the newest finished load test, and there is none yet (a run during which a knob turned does not count): run one first, e.g. `loadtest smoke`.',
      );
    const { rows } = await this.catalog.query<Row>(
      'INSERT INTO tuning_predictions (metric, predicted_pct, note, before_run) VALUES ($1, $2, $3, $4) RETURNING *, (extract(epoch FROM at) * 1000)::float8 AS at_ms',
      [input.metric, input.change_pct, input.note, baseline.id],
    );
    return this.view(rows[0]!, []);
  }

  /** Newest first; a prediction still waiting is paired with the first finished run of its scenario made after it. */
  async list(): Promise<Prediction[]> {
    const { rows } = await this.catalog.query<Row>('SELECT *, (extract(epoch FROM at) * 1000)::float8 AS at_ms FROM tuning_predictions ORDER BY id DESC');
    const recent = rows.some((r) => r.after_run === null) ? await this.runs.list(100) : [];
    return Promise.all(rows.map((r) => this.view(r, recent)));
  }

  async clear(): Promise<void> {
    await this.catalog.query('DELETE FROM tuning_predictions');
  }

  private async view(row: Row, recent: readonly RunView[]): Promise<Prediction> {
    const before = await this.runs.get(row.before_run);
    let after = row.after_run ? await this.runs.get(row.after_run) : null;
    if (!after && before) {
      // `recent` is newest first: the last match is the first run after the prediction.
      after = recent.filter((r) => usable(r) && r.scenario === before.scenario && Date.parse(r.created_at) > row.at_ms).at(-1) ?? null;
      if (after) await this.catalog.query('UPDATE tuning_predictions SET after_run = $2 WHERE id = $1', [row.id, after.id]);
    }
    const a = before ? headline(before, row.metric) : null;
    const b = after ? headline(after, row.metric) : null;
    const measured = a !== null && b !== null && a !== 0 ? Math.round(((b - a) / a) * 1000) / 10 : null;
    return {
      id: row.id,
      at: new Date(row.at_ms).toISOString(),
      metric: row.metric,
      predicted_pct: row.predicted_pct,
      note: row.note,
      before: before ? ref(before, row.metric) : { run: row.before_run, scenario: '?', value: null, finished_at: null },
      after: after ? ref(after, row.metric) : null,
      measured_pct: measured,
      off_by_points: measured === null ? null : Math.round((measured - row.predicted_pct) * 10) / 10,
      differed: before && after ? differed(before, after) : [],
    };
  }
}
