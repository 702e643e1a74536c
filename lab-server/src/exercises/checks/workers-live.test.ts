import { describe, expect, it } from 'vitest';
import { judgeWorkersLive, workersLive } from './workers-live.js';

const spec = workersLive.spec.parse({ kind: 'workers-live', tolerance: 0.05 });
const run = (label: string, around?: { before_rps: number; after_rps: number; ratio: number }) => ({
  id: 'abcdef12-run',
  state: 'finished',
  scenario: 'smoke',
  marks: [{ t_s: 4, kind: 'knob', label, ...(around && { around }) }],
  summary: { requests: 900, requests_per_s: 300, errors: 0 },
});
const measured = { before_rps: 200, after_rps: 260, ratio: 1.3 };

describe('workers-live check', () => {
  it('passes when the answer is the measured ratio across the worker change', () => {
    expect(judgeWorkersLive(spec, 1.32, [run('workers → 2', measured)])).toMatchObject({ passed: true, message: expect.stringContaining('1.3×') });
  });

  it('fails without such a run, without an answer, or with a ratio too far off', () => {
    expect(judgeWorkersLive(spec, 1.3, [run('pool_max → 3', measured)]).passed).toBe(false);
    expect(judgeWorkersLive(spec, 1.3, [run('workers → 2')]).passed).toBe(false);
    expect(judgeWorkersLive(spec, undefined, [run('workers → 2', measured)]).message).toContain('Enter after ÷ before');
    expect(judgeWorkersLive(spec, 2, [run('workers → 2', measured)]).message).toContain('not within 0.05');
  });
});
