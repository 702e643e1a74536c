import fsp from 'node:fs/promises';
import { expect, it } from 'vitest';
import { apiTypes, GENERATED_TYPES } from '../scripts/openapi.js';

it("the browser lab's API types are what the route declarations generate now", async () => {
  const committed = await fsp.readFile(GENERATED_TYPES, 'utf8');
  expect(committed === (await apiTypes()), 'lab-ui/src/generated/api.ts is stale: run `make openapi` and commit it').toBe(true);
});
