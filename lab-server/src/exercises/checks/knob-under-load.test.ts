import { describe, expect, it } from 'vitest';
import { judgeKnobUnderLoad, knobUnderLoad } from './knob-under-load.js';

const spec = knobUnderLoad.spec.parse({ kind: 'knob-under-load', knob: 'synchronous_commit', value: 'off' });
const run = (label: string, errors: number) => ({
  id: 'abcdef12-run',
  state: 'finished',
  scenario: 'smoke',
  marks: [{ t_s: 2, kind: 'knob', label }],
  summary: { requests: 900, requests_per_s: 300, errors },
});

describe('knob-under-load check', () => {
  it('passes on a run that saw the change and failed nothing', () => {
    expect(judgeKnobUnderLoad(spec, [run('synchronous_commit → off', 0)])).toMatchObject({ passed: true, message: expect.stringContaining('at 2 s') });
  });

  it('fails without the mark, or with failed requests', () => {
    expect(judgeKnobUnderLoad(spec, [run('pool_max → 3', 0)]).passed).toBe(false);
    expect(judgeKnobUnderLoad(spec, [run('synchronous_commit → off', 4)]).message).toContain('4 of its 900 requests failed');
  });
});
