import { describe, expect, it } from 'vitest';
import { judgeCrashLoss, type CrashRunView } from './crash-loss.js';

const run = (mode: 'on' | 'off', lost: number): CrashRunView => ({ shard: 'shard-1', synchronous_commit: mode, acknowledged: 900, lost, commits_per_s: 600 });

describe('crash-loss check', () => {
  it('passes on an off run that lost writes, an on run that lost none, and the right count', () => {
    expect(judgeCrashLoss([run('off', 31), run('on', 0)], 31)).toMatchObject({ passed: true, message: expect.stringContaining('lost 31 of them') });
  });

  it('fails without an off run, on an off run that lost nothing, without the control, or with a wrong count', () => {
    expect(judgeCrashLoss([], 3).message).toContain('No crash with synchronous_commit off');
    expect(judgeCrashLoss([run('off', 0), run('on', 0)], 0).message).toContain('lost none of its 900');
    expect(judgeCrashLoss([run('off', 31)], 31).message).toContain('the control');
    expect(judgeCrashLoss([run('off', 31), run('on', 2)], 31).message).toContain('must never');
    expect(judgeCrashLoss([run('off', 31), run('on', 0)], 30).passed).toBe(false);
    expect(judgeCrashLoss([run('off', 31), run('on', 0)], undefined).passed).toBe(false);
  });
});
