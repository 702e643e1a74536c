import { describe, expect, it } from 'vitest';
import type { LockQueueReport } from '../../migration-drill/index.js';
import { judgeQueueUnderLoad, queueUnderLoad, type LoadRunTimeline } from './queue-under-load.js';

const queue = (lock_timeout_ms: number | null, window: [number, number] | null, run_id = 'run-1'): LockQueueReport => ({
  shard: 'shard-1',
  ddl: 'ALTER …',
  hold_ms: 2000,
  lock_timeout_ms,
  alter: { attempts: lock_timeout_ms ? 3 : 1, waited_ms: 2000, timeouts: lock_timeout_ms ? 2 : 0 },
  reads: { count: 10, stalled: 0, max_ms: 10, p99_ms: 10 },
  lock_view: [
    { pid: 1, role: 'long transaction', waiting_for: [], query: '' },
    { pid: 2, role: 'migration', waiting_for: [1], query: '' },
    { pid: 3, role: 'reader', waiting_for: lock_timeout_ms ? [] : [2], query: '' },
  ],
  verdict: '',
  ...(window ? { under_load: { run_id, from_s: window[0], to_s: window[1] } } : {}),
});
const tick = (t_s: number, p99: number, errors = 0) => ({ t_s, errors_per_s: errors, latency_ms: { p99 } });
const run = (state = 'finished'): LoadRunTimeline => ({
  id: 'run-1',
  state,
  // Seconds 2–4: the plain ALTER (p99 near the hold); 6–8: the polite one.
  timeline: [tick(1, 5), tick(2, 6), tick(3, 1900, 1), tick(4, 30), tick(5, 4), tick(6, 60), tick(7, 7), tick(8, 5), tick(9, 5)],
});

describe('queue-under-load check', () => {
  it('says which drill is missing from the load test, or that the run is still going', () => {
    expect(queueUnderLoad.spec.safeParse({ kind: 'queue-under-load', extra: 1 }).success).toBe(false);
    expect(judgeQueueUnderLoad(queue(null, null), null, null).message).toContain('plain ALTER');
    expect(judgeQueueUnderLoad(queue(null, [1.5, 3.2]), queue(50, null), run()).message).toContain('lock_timeout 50 ms');
    expect(judgeQueueUnderLoad(queue(null, [1.5, 3.2]), queue(50, [5.5, 7.1], 'run-2'), run()).message).toContain('different load tests');
    expect(judgeQueueUnderLoad(queue(null, [1.5, 3.2]), queue(50, [5.5, 7.1]), run('running')).message).toContain('still running');
    expect(judgeQueueUnderLoad(queue(null, [1.5, 3.2]), queue(50, [5.5, 7.1]), null).passed).toBe(false);
  });

  it("passes with both drills inside one finished run, quoting the run's p99 and errors in each drill's seconds", () => {
    const r = judgeQueueUnderLoad(queue(null, [1.5, 3.2]), queue(50, [5.5, 7.1]), run());
    expect(r.passed).toBe(true);
    expect(r.message).toContain('p99 reached 1,900 ms with 1 failed request(s)');
    expect(r.message).toContain('2 time(s), 60 ms with 0');
    expect(r.message).toContain('median p99 was 5 ms');
  });
});
