import { describe, expect, it } from 'vitest';
import type { JobView } from '../../jobs/registry.js';
import { judgeJobUnderLoad, jobUnderLoad } from './job-under-load.js';

const spec = jobUnderLoad.spec.parse({ kind: 'job-under-load', job: 'seed', scenario: 'standard' });
const run = (started: string, finished: string, errors = 0) => ({
  id: 'r1',
  state: 'finished',
  params: { scenario: 'standard' },
  started_at: `2026-11-29T10:00:${started}Z`,
  finished_at: `2026-11-29T10:00:${finished}Z`,
  summary: { requests: 12_345, requests_per_s: 1_234.4, errors, latency_ms: { p95: 41.7 } },
});
const seedJob = (started: string, finished: string): JobView => ({
  id: 'j1',
  kind: 'seed',
  state: 'succeeded',
  params: {},
  progress: { done: 1, total: 1 },
  created_at: `2026-11-29T10:00:${started}Z`,
  started_at: `2026-11-29T10:00:${started}Z`,
  finished_at: `2026-11-29T10:00:${finished}Z`,
});

describe('job-under-load check', () => {
  it('passes a seed that began and ended inside a clean run, with what the traffic felt', () => {
    expect(judgeJobUnderLoad(spec, [run('00', '20')], [seedJob('05', '09')])).toEqual({
      passed: true,
      message:
        'The seed took 4 s inside the standard run: 12,345 requests at 1,234 req/s, p95 42 ms, 0 errors. The traffic went on while the shards loaded rows.',
    });
  });

  it('does not count a seed that ran before the run or outlasted it', () => {
    expect(judgeJobUnderLoad(spec, [run('10', '20')], [seedJob('05', '12')]).passed).toBe(false);
    expect(judgeJobUnderLoad(spec, [run('00', '10')], [seedJob('05', '12')]).passed).toBe(false);
  });

  it('counts a run stopped once the job was done, not one that failed', () => {
    expect(judgeJobUnderLoad(spec, [{ ...run('00', '20'), state: 'cancelled' }], [seedJob('05', '09')]).passed).toBe(true);
    expect(judgeJobUnderLoad(spec, [{ ...run('00', '20'), state: 'failed' }], [seedJob('05', '09')]).passed).toBe(false);
  });

  it('fails a run that had errors, and one still going says to wait', () => {
    expect(judgeJobUnderLoad(spec, [run('00', '20', 3)], [seedJob('05', '09')]).message).toContain('which had 12,345 requests');
    const going = { ...run('00', '20'), state: 'running', finished_at: null };
    expect(judgeJobUnderLoad(spec, [going], [seedJob('05', '09')]).message).toContain('still going');
  });
});
