import { expect, it } from 'vitest';
import { MixDriver } from './mix.js';
import type { RunData } from './ops.js';
import { planRun } from './run.js';
import { findScenario, opShares, SCENARIOS } from './scenarios.js';

const data: RunData = {
  user_ids: ['01234567-89ab-7def-8123-456789abcdef', '11234567-89ab-7def-8123-456789abcdef'],
  conversations: [{ id: '21234567-89ab-7def-8123-456789abcdef', member_ids: ['01234567-89ab-7def-8123-456789abcdef'] }],
  hot: { id: '31234567-89ab-7def-8123-456789abcdef', member_ids: ['01234567-89ab-7def-8123-456789abcdef'] },
};

/** Answers like the API would when everything works: the expected status, with the body later steps read. */
function answer(method: string, path: string): { status: number; body: string } {
  if (method === 'POST' && path === '/api/v1/users') return { status: 201, body: JSON.stringify({ id: '41234567-89ab-7def-8123-456789abcdef' }) };
  if (method === 'POST') return { status: 201, body: '{}' };
  if (method === 'DELETE') return { status: 204, body: '' };
  if (path.startsWith('/api/v1/users?')) return { status: 200, body: JSON.stringify({ data: [], next_cursor: 'abc' }) };
  return { status: 200, body: '{}' };
}

/** A seeded random source, so that a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
}

it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s sends the mix it declares', (_name, scenario) => {
  const driver = new MixDriver(scenario.flows, data, lcg(42));
  const inFlight: ReturnType<MixDriver['next']>[] = [];
  // 50 connections: each answers its oldest request before sending the next, as autocannon does.
  for (let i = 0; i < 50; i++) inFlight.push(driver.next());
  for (let i = 0; i < 20_000; i++) {
    const { step, request } = inFlight.shift()!;
    const a = answer(request.method, request.path);
    expect(driver.complete(step, a.status, a.body)).toBe(true);
    inFlight.push(driver.next());
  }
  const summary = driver.summary(opShares(scenario.flows));
  for (const [op, share] of Object.entries(opShares(scenario.flows))) {
    expect(Math.abs(summary[op]!.share - share), op).toBeLessThan(0.015);
  }
  expect(Object.values(summary).every((o) => o.errors === 0)).toBe(true);
});

it('a step that gets an unexpected status is an error and ends its flow', () => {
  const driver = new MixDriver(findScenario('smoke')!.flows, data, lcg(1));
  const { step, request } = driver.next();
  expect(request).toMatchObject({ method: 'POST', path: '/api/v1/users' });
  expect(driver.complete(step, 500, '{}')).toBe(false);
  // The flow is gone: the next request starts a new one with a create, never a read of a user that does not exist.
  expect(driver.next().request).toMatchObject({ method: 'POST', path: '/api/v1/users' });
  expect(driver.summary({})['user.create']).toMatchObject({ requests: 1, errors: 1, statuses: { 500: 1 } });
});

it('reads a user created earlier in its flow only after the create answered, and deletes only users the run created', () => {
  const driver = new MixDriver(findScenario('write-heavy')!.flows, data, lcg(7));
  for (let i = 0; i < 200; i++) {
    const { step, request } = driver.next();
    if (request.method === 'DELETE' || (request.method === 'PUT' && step.index > 0)) {
      expect(request.path).toBe('/api/v1/users/41234567-89ab-7def-8123-456789abcdef');
    }
    const a = answer(request.method, request.path);
    driver.complete(step, a.status, a.body);
  }
  for (const s of SCENARIOS) for (const f of s.flows) if (f.steps.includes('user.delete')) expect(f.steps[0], s.name).toBe('user.create');
});

it('plans phases in absolute numbers that add up to the run', () => {
  const spike = planRun({ scenario: findScenario('spike')!, connections: 100, duration_s: 30 });
  expect(spike.phases.map((p) => [p.label, p.connections, p.duration_s])).toEqual([
    ['before', 10, 10],
    ['spike', 100, 10],
    ['after', 10, 10],
  ]);
  const tenK = planRun({ scenario: findScenario('10k')! });
  expect(tenK).toMatchObject({ model: 'rate', connections: 10_000, rate: 2_000, phases: [{ connections: 10_000, rate: 2_000, duration_s: 60 }] });
  expect(planRun({ scenario: findScenario('standard')!, rate: 500 }).model).toBe('rate');
});
