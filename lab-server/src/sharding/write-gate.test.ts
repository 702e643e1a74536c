import { describe, expect, it } from 'vitest';
import { WriteGate } from './write-gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('WriteGate', () => {
  it('waits for in-flight writes in the fenced ranges, pauses new ones there, and lets others through', async () => {
    const gate = new WriteGate();
    let releaseSlow!: () => void;
    const slow = gate.run(100, () => new Promise<string>((r) => (releaseSlow = () => r('slow done'))));
    await tick();
    let fenced = false;
    const fencing = gate.fence([{ start: 50, end: 150 }]).then(() => (fenced = true));
    await tick();
    expect(fenced).toBe(false);

    const order: string[] = [];
    const paused = gate.run(120, async () => void order.push('paused write ran'));
    const outside = gate.run(500, async () => void order.push('outside write ran'));
    await outside;
    expect(order).toEqual(['outside write ran']);

    releaseSlow();
    expect(await slow).toBe('slow done');
    await fencing;
    expect(fenced).toBe(true);
    await tick();
    expect(order).toEqual(['outside write ran']);

    gate.lift();
    await paused;
    expect(order).toEqual(['outside write ran', 'paused write ran']);
  });

  it('holds a write of several keys while any of them is fenced, and counts it in flight for each', async () => {
    const gate = new WriteGate();
    await gate.fence([{ start: 0, end: 10 }]);
    let ran = false;
    const many = gate.runAll([500, 5], async () => void (ran = true));
    await tick();
    expect(ran).toBe(false);
    gate.lift();
    await many;
    expect(ran).toBe(true);

    let release!: () => void;
    const running = gate.runAll([700, 800], () => new Promise<void>((r) => (release = r)));
    await tick();
    let fenced = false;
    const fencing = gate.fenceWhere((h) => h === 800).then(() => (fenced = true));
    await tick();
    expect(fenced).toBe(false);
    release();
    await running;
    await fencing;
    expect(fenced).toBe(true);
    gate.lift();
  });

  it('fences at once when nothing is in flight and refuses a second fence', async () => {
    const gate = new WriteGate();
    await gate.fence([{ start: 0, end: 10 }]);
    await expect(gate.fence([{ start: 20, end: 30 }])).rejects.toThrow(/already/);
    gate.lift();
    expect(gate.fenced).toEqual([]);
  });
});
