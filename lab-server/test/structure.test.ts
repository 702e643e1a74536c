import { describe, expect, it } from 'vitest';
import { folderCycles, folderImports, httpImporters } from '../scripts/structure.js';

/** The dependency rule docs/architecture.md states, kept by the code itself (`npm run structure` prints the same). */
describe('the structure of lab-server/src', () => {
  const edges = folderImports();

  it('has no two folders that import each other', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('keeps HTTP the outer layer: only the server (the composition root) imports http/', () => {
    expect(httpImporters(edges)).toEqual([]);
  });

  it('sees the imports it checks (a reader that found none would pass everything)', () => {
    expect(edges.get('http')?.has('messenger')).toBe(true);
    expect(edges.get('server')?.has('http')).toBe(true);
    expect(edges.size).toBeGreaterThan(15);
  });
});
