import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChapters } from '../src/chapters/loader.js';
import { REPO_ROOT } from '../src/config.js';
import { startEmbeddedTestLab, testRing, type ErrorReply, type TestLab } from './support/lab.js';

/**
 * Every chapter is proven solvable: from its reset, each exercise's check fails, "Solve it for me" runs the
 * reference steps against the real cluster, and then the learner's check passes too.
 */
const library = await loadChapters(path.join(REPO_ROOT, 'chapters'));

interface ExerciseView {
  id: string;
  input: { type: 'shard' | 'number' | 'choice'; options?: string[] } | null;
  progress: { how: string } | null;
}
interface CheckReply {
  passed: boolean;
  message: string;
}
interface SolveReply extends CheckReply {
  answer: string | number | null;
  steps: { step: string; status: string }[];
}

let t: TestLab;
beforeAll(async () => {
  t = await startEmbeddedTestLab(5);
});
afterAll(async () => t?.stop());

const chapterUrl = (c: string) => `/lab/v1/chapters/${c}`;
const exerciseUrl = (c: string, e: string) => `${chapterUrl(c)}/exercises/${e}`;

/** A wrong answer of the right type: another shard, or a number far off. */
function wrongAnswer(input: NonNullable<ExerciseView['input']>, right: string | number): string | number {
  if (input.type === 'number') return Number(right) + 10;
  if (input.type === 'choice') return input.options!.find((o) => o !== right)!;
  const n = Number(/(\d+)$/.exec(String(right))?.[1] ?? 0);
  return `shard-${(n + 1) % 5}`;
}

for (const chapter of library.chapters) {
  describe(`chapter ${chapter.id}`, () => {
    it("resets to its start: latest schema, configured shards, the start's rows", async () => {
      const r = await t.call<{ steps: { step: string }[] }>('POST', `${chapterUrl(chapter.id)}/reset`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.steps).toHaveLength(chapter.reset.length + 1);
      const stats = await t.call<{ total_users: number; shard_count: number }>('GET', '/api/v1/shards/stats');
      expect(stats.body).toMatchObject({ total_users: chapter.start.users, shard_count: 5 });
      const start = await t.call<{ at_start: boolean; differences: string[] }>('GET', `${chapterUrl(chapter.id)}/start`);
      expect(start.body.differences).toEqual([]);
      expect(start.body.at_start).toBe(true);
    });

    for (const exercise of chapter.exercises) {
      it(`${exercise.id}: the check fails first, “Solve it for me” passes it, and so does the learner's check`, async () => {
        const view = (await t.call<{ exercises: ExerciseView[] }>('GET', chapterUrl(chapter.id))).body.exercises.find((e) => e.id === exercise.id)!;
        const before = await t.call<CheckReply>('POST', `${exerciseUrl(chapter.id, exercise.id)}/check`, {});
        expect(before.status).toBe(200);
        expect(before.body.passed, before.body.message).toBe(false);
        expect(before.body.message.length).toBeGreaterThan(10);

        const solved = await t.call<SolveReply | ErrorReply>('POST', `${exerciseUrl(chapter.id, exercise.id)}/solve`);
        expect(solved.status, JSON.stringify(solved.body)).toBe(200);
        const s = solved.body as SolveReply;
        // The whole reply on failure: which step failed, and the check's message, are what a flaky run leaves to go on.
        expect(s.passed, JSON.stringify(s)).toBe(true);
        expect(
          s.steps.map((x) => x.status).every((x) => x === 'done' || x === 'skipped'),
          JSON.stringify(s.steps),
        ).toBe(true);

        const body = view.input ? { answer: s.answer } : {};
        const after = await t.call<CheckReply>('POST', `${exerciseUrl(chapter.id, exercise.id)}/check`, body);
        expect(after.body.passed, after.body.message).toBe(true);
        if (view.input) {
          const wrong = await t.call<CheckReply>('POST', `${exerciseUrl(chapter.id, exercise.id)}/check`, { answer: wrongAnswer(view.input, s.answer!) });
          expect(wrong.body.passed, wrong.body.message).toBe(false);
        }
        const progress = await t.call<{ progress: { chapter_id: string; exercise_id: string }[] }>('GET', '/lab/v1/progress');
        expect(progress.body.progress).toContainEqual(expect.objectContaining({ chapter_id: chapter.id, exercise_id: exercise.id }));
      });
    }

    // What a chapter set up (replicas, a read policy, extra shards) must not leak into the next chapter's tests.
    it('resets again at its end, so the next chapter starts from a clean lab; the progress made stays', async () => {
      expect((await t.call('POST', `${chapterUrl(chapter.id)}/reset`)).status).toBe(200);
      const view = await t.call<{ exercises: ExerciseView[] }>('GET', chapterUrl(chapter.id));
      expect(view.body.exercises.filter((e) => e.progress === null).map((e) => e.id)).toEqual([]);
    });
  });
}

describe('the tuning chapter', () => {
  it('resets every knob to its default, whatever the exercises left turned', async () => {
    await t.call('PUT', '/lab/v1/tuning/knobs/pool_max', { value: 3 });
    await t.call('PUT', '/lab/v1/tuning/knobs/work_mem', { value: '8MB' });
    expect((await t.call('POST', `${chapterUrl('performance-tuning')}/reset`)).status).toBe(200);
    const knobs = await t.call<{ knobs: { name: string; changed: boolean }[] }>('GET', '/lab/v1/tuning/knobs');
    expect(knobs.body.knobs.filter((k) => k.changed).map((k) => k.name)).toEqual([]);
  });
});

describe('the exercise API', () => {
  it('lists chapters with progress and the learning paths', async () => {
    const r = await t.call<{ chapters: { id: string; exercises: number; passed: number }[]; paths: unknown[]; errors: unknown[] }>('GET', '/lab/v1/chapters');
    expect(r.body.errors).toEqual([]);
    expect(r.body.chapters.map((c) => c.id)).toEqual(library.chapters.map((c) => c.id));
    expect(r.body.paths).toHaveLength(4);
  });

  it('answers bad requests with a 4xx in the one error shape and changes nothing', async () => {
    const before = await t.call('GET', '/lab/v1/progress');
    const cases: [string, string, unknown, number, string][] = [
      ['GET', '/lab/v1/chapters/nope', undefined, 404, 'not_found'],
      ['POST', exerciseUrl('sharding', 'nope') + '/check', {}, 404, 'not_found'],
      ['POST', exerciseUrl('sharding', 'route-key') + '/check', { answer: { a: 1 } }, 400, 'validation_failed'],
      ['POST', exerciseUrl('sharding', 'route-key') + '/check', { answer: 'shard-1', extra: true }, 400, 'validation_failed'],
      ['POST', exerciseUrl('sharding', 'route-key') + '/check', 'not json', 400, 'invalid_json'],
      ['POST', '/lab/v1/chapters/nope/reset', undefined, 404, 'not_found'],
      ['POST', exerciseUrl('sharding', 'modulo-movement') + '/check', { answer: 'most of them' }, 400, 'invalid_answer'],
      ['POST', exerciseUrl('sharding', 'modulo-movement') + '/check', { answer: '250' }, 400, 'invalid_answer'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const r = await t.call<ErrorReply>(method, url, body);
      expect(r.status, `${method} ${url}`).toBe(status);
      expect(r.body.error.code).toBe(code);
    }
    expect((await t.call('GET', '/lab/v1/progress')).body).toEqual(before.body);
  });

  it("measures each chapter's read-only claims on the cluster with a verdict, and says which claims would run something", async () => {
    let measured = 0;
    for (const chapter of library.chapters) {
      const view = await t.call<{ claims: { id: string; runs: string | null }[] }>('GET', chapterUrl(chapter.id));
      for (const claim of view.body.claims) {
        if (claim.runs) continue;
        const r = await t.call<{ measured: string; verdict: string; why: string }>('POST', `${chapterUrl(chapter.id)}/claims/${claim.id}/measure`, {});
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(['holds', 'fails', 'unsettled']).toContain(r.body.verdict);
        expect(r.body.why.length).toBeGreaterThan(10);
        measured++;
      }
    }
    expect(measured).toBeGreaterThan(0);
    const overview = await t.call<{ claims: { id: string; runs: string | null }[] }>('GET', chapterUrl('overview'));
    expect(overview.body.claims.find((c) => c.id === 'throughput')?.runs).toContain('100 connections for 60 s');
    const missing = await t.call<ErrorReply>('POST', `${chapterUrl('overview')}/claims/nope/measure`, {});
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });

  it("reads a typed number in the learner's convention, and keeps it as a number", async () => {
    await t.call('POST', `${chapterUrl('sharding')}/reset`);
    const url = `${exerciseUrl('sharding', 'modulo-movement')}/check`;
    // Modulo from 5 to 6 shards moves five keys in six: 83.33 %, typed with a decimal comma.
    const r = await t.call<CheckReply & { progress: { answer: unknown } }>('POST', url, { answer: '83,33 %' });
    expect(r.body.passed, r.body.message).toBe(true);
    expect(r.body.progress.answer).toBe(83.33);
    // 83.333 could group thousands, but no share is 83,333 %: the range reads it as a decimal.
    const grouped = await t.call<CheckReply>('POST', url, { answer: '83.333' });
    expect(grouped.body.passed, grouped.body.message).toBe(true);
    await t.call('POST', `${chapterUrl('sharding')}/reset`);
  });
});

describe('the migrations chapter', () => {
  it("measures the original's two schema-change claims against their risky twins on the live cluster", async () => {
    const view = await t.call<{ claims: { id: string; runs: string | null }[] }>('GET', chapterUrl('migrations'));
    expect(view.body.claims.map((c) => c.id)).toEqual(['constant-default', 'concurrent-index']);
    expect(view.body.claims.every((c) => c.runs?.includes('lab_drill'))).toBe(true);
    const measure = async (id: string) => {
      const r = await t.call<{ measured: string; verdict: string; why: string }>('POST', `${chapterUrl('migrations')}/claims/${id}/measure`, {});
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(['holds', 'fails', 'unsettled']).toContain(r.body.verdict);
      return r.body;
    };
    // Whether a change rewrites the table does not depend on the machine's load; how long writes waited does.
    const column = await measure('constant-default');
    expect(column.measured).toMatch(/DEFAULT 0: .*no rewrite\).*clock_timestamp\(\): .*rewrote the table\)/);
    expect(column.verdict).not.toBe('fails');
    const index = await measure('concurrent-index');
    expect(index.measured).toMatch(/CONCURRENTLY.*CREATE INDEX ddl_probe_n ON .*held ShareLock/);
    expect(index.verdict).not.toBe('fails');
  });
});

describe('placement audit', () => {
  it('counts a row on the wrong shard as an orphan, and the misplaced-rows check sees it', async () => {
    await t.call('POST', `${chapterUrl('overview')}/reset`);
    const id = '00000000-0000-0000-0000-000000000001';
    const owner = testRing(5).route(id).shard_name;
    const wrong = owner === 'shard-0' ? 'shard-1' : 'shard-0';
    const put = await t.call('POST', '/lab/v1/sql', { shard: wrong, sql: `INSERT INTO users (id, first_name, last_name) VALUES ('${id}', 'Lost', 'Row')` });
    expect(put.status).toBe(200);
    const p = await t.call<{
      total_rows: number;
      total_misplaced: number;
      shards: { shard_name: string; misplaced: number; sample: { id: string; routes_to: string }[] }[];
    }>('GET', '/lab/v1/placement');
    expect(p.body).toMatchObject({ total_rows: 1, total_misplaced: 1 });
    expect(p.body.shards.find((s) => s.shard_name === wrong)).toMatchObject({ misplaced: 1, sample: [{ id, routes_to: owner }] });
    // The API looks where the ring says and misses: the learner's 404.
    expect((await t.call('GET', `/api/v1/users/${id}`)).status).toBe(404);
    await t.call('POST', `${chapterUrl('overview')}/reset`);
    expect((await t.call<{ total_misplaced: number }>('GET', '/lab/v1/placement')).body.total_misplaced).toBe(0);
  });
});

describe('ring and SQL endpoints', () => {
  it('serves the live ring by default and hypothetical ones on request', async () => {
    const topo = (await t.call<{ ring: { shares: number[] } }>('GET', '/lab/v1/topology')).body;
    const live = (await t.call<{ shares: number[]; shards: string[] }>('GET', '/lab/v1/ring')).body;
    expect(live.shares).toEqual(topo.ring.shares);
    const hypo = (await t.call<{ shards: string[]; points: unknown[]; change: { to_shards: number } }>('GET', '/lab/v1/ring?shards=3&vnodes=10&compare_to=2'))
      .body;
    expect(hypo).toMatchObject({ shards: ['shard-0', 'shard-1', 'shard-2'], change: { to_shards: 2 } });
    expect(hypo.points).toHaveLength(30);
    for (const q of ['shards=0', 'vnodes=5000', 'strategy=jump', 'key=nope', 'color=red']) {
      const r = await t.call<ErrorReply>('GET', `/lab/v1/ring?${q}`);
      expect(r.status, q).toBe(400);
    }
  });

  it('runs SQL and EXPLAIN on one shard; EXPLAIN ANALYZE of a write changes nothing', async () => {
    const r = await t.call<{ shard: string; results: { fields: string[]; rows: string[][] }[] }>('POST', '/lab/v1/sql', {
      shard: '2',
      sql: 'SELECT 41 + 1 AS answer',
    });
    expect(r.body).toMatchObject({ shard: 'shard-2', results: [{ fields: ['answer'], rows: [['42']] }] });
    const plan = await t.call<{ results: { command: string; rows: string[][] }[] }>('POST', '/lab/v1/sql', {
      shard: 'shard-2',
      sql: `INSERT INTO users (id, first_name, last_name) VALUES ('00000000-0000-0000-0000-0000000000aa', 'A', 'B')`,
      explain: 'analyze',
    });
    expect(plan.body.results[0]!.rows.map((x) => x[0]).join('\n')).toMatch(/Insert on users.*actual time/s);
    const count = await t.call<{ results: { rows: string[][] }[] }>('POST', '/lab/v1/sql', {
      shard: 'shard-2',
      sql: "SELECT count(*) FROM users WHERE first_name = 'A'",
    });
    expect(count.body.results[0]!.rows).toEqual([['0']]);
    const bad = await t.call<ErrorReply>('POST', '/lab/v1/sql', { shard: 'shard-2', sql: 'SELEC 1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'sql_failed', details: { sqlstate: '42601' } });
    expect((await t.call<ErrorReply>('POST', '/lab/v1/sql', { shard: 'shard-9', sql: 'SELECT 1' })).status).toBe(400);
    expect((await t.call<ErrorReply>('POST', '/lab/v1/sql', { shard: 'shard-0' })).status).toBe(400);
  });
});
