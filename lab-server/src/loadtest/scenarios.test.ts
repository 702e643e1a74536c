import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../config.js';
import { opShares, SCENARIOS } from './scenarios.js';

it('docs/loadtests.md shows every scenario as defined here, with the mix it sends', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/loadtests.md'), 'utf8');
  for (const s of SCENARIOS) {
    const shares = Object.entries(opShares(s.flows))
      .map(([op, x]) => `${op} ${Math.round(x * 1000) / 10} %`)
      .join(', ');
    expect(doc, s.name).toContain(`### \`${s.name}\` — ${s.title}\n\n${s.description}\n\nMix: ${shares}. Original: ${s.original}`);
  }
});

it('every scenario has unique name, positive weights, phases that cover the run, and a peak of 100 %', () => {
  expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
  for (const s of SCENARIOS) {
    expect(
      s.flows.every((f) => f.weight > 0 && f.steps.length > 0),
      s.name,
    ).toBe(true);
    expect(
      s.phases.reduce((sum, p) => sum + p.duration, 0),
      s.name,
    ).toBeCloseTo(1, 6);
    expect(Math.max(...s.phases.map((p) => p.connections)), s.name).toBe(1);
    expect(s.model === 'rate', s.name).toBe(s.rate !== null);
  }
});
