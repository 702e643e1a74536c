import { expect, it } from 'vitest';
import type { ExerciseContext } from '../context.js';
import { givenServers } from './given-servers.js';

const on = (ownsServers: boolean) => ({ lab: { cluster: { ownsServers } } }) as unknown as ExerciseContext;

it('passes only when the lab runs on servers given to it', async () => {
  expect((await givenServers.run({ kind: 'given-servers' }, on(false), undefined)).passed).toBe(true);
  expect((await givenServers.run({ kind: 'given-servers' }, on(true), undefined)).passed).toBe(false);
  expect(givenServers.spec.safeParse({ kind: 'given-servers', extra: 1 }).success).toBe(false);
});
