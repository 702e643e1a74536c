import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../config.js';
import { scanDirectives } from './directives.js';
import { loadChapters, parseChapter } from './loader.js';

const front = (extra = '') => `---
id: demo
title: Demo
order: 5
summary: A chapter for the tests.
exercises:
  - id: seed
    title: Seed
    hint: Press Seed.
    check: { kind: users-total, at_least: 10 }
    solve:
      - do: seed
        users: 10
${extra}---
`;

describe('scanDirectives', () => {
  it('finds widgets and containers with their attributes, but not inside code fences', () => {
    const uses = scanDirectives(['::ring{vnodes=150 shards="5"}', '```', '::topology', '```', ':::exercise{#seed}', 'text', ':::'].join('\n'));
    expect(uses).toEqual([
      { name: 'ring', container: false, attributes: { vnodes: '150', shards: '5' }, line: 1 },
      { name: 'exercise', container: true, attributes: { id: 'seed' }, line: 5 },
    ]);
  });
});

describe('parseChapter', () => {
  it('reads front matter and body', () => {
    const c = parseChapter('demo.md', `${front()}# Demo\n\n:::exercise{id=seed}\nLoad users.\n:::\n\n::shard-stats\n`);
    expect(c).toMatchObject({ id: 'demo', order: 5, file: 'demo.md', reset: [], exercises: [{ id: 'seed', check: { kind: 'users-total', at_least: 10 } }] });
    expect(c.body).toContain('::shard-stats');
  });

  it('names each problem: unknown widget, exercise not placed, unknown check kind', () => {
    expect(() => parseChapter('x.md', `${front()}::spinner\n`)).toThrow(/unknown directive 'spinner'.*exercise 'seed' must appear exactly once/);
    expect(() => parseChapter('x.md', `${front()}:::exercise{id=nope}\n:::\n`)).toThrow(/exercise 'nope' is not declared/);
    const bad = front().replace('kind: users-total, at_least: 10', 'kind: vibes');
    expect(() => parseChapter('x.md', `${bad}:::exercise{id=seed}\n:::\n`)).toThrow(/front matter: exercises\.0\.check/);
    expect(() => parseChapter('x.md', 'no front matter')).toThrow(/front matter/);
  });

  it('refuses solve steps that call outside the lab API', () => {
    const bad = front().replace('- do: seed\n        users: 10', '- do: api\n        method: GET\n        path: /etc/passwd');
    expect(() => parseChapter('x.md', `${bad}:::exercise{id=seed}\n:::\n`)).toThrow(/path must start with/);
  });
});

describe('loadChapters', () => {
  it('loads the repository’s chapters without errors, in order, with paths naming real or upcoming chapters', async () => {
    const lib = await loadChapters(path.join(REPO_ROOT, 'chapters'));
    expect(lib.errors).toEqual([]);
    expect(lib.chapters.map((c) => c.id)).toEqual(expect.arrayContaining(['overview', 'sharding', 'architecture']));
    expect(lib.chapters[0]?.id).toBe('overview');
    for (const c of lib.chapters) expect(c.exercises.length).toBeGreaterThanOrEqual(3);
    expect(lib.paths).toHaveLength(4);
    const known = new Set([...lib.chapters.map((c) => c.id), ...Object.keys(lib.upcoming)]);
    for (const p of lib.paths) for (const id of p.chapters) expect(known).toContain(id);
  });

  it('keeps loading the good chapters when one file is broken, and says which', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'chapters-'));
    try {
      await fsp.writeFile(path.join(dir, 'good.md'), `${front()}:::exercise{id=seed}\n:::\n`);
      await fsp.writeFile(path.join(dir, 'broken.md'), '---\nid: [\n---\n');
      const lib = await loadChapters(dir);
      expect(lib.chapters.map((c) => c.id)).toEqual(['demo']);
      expect(lib.errors).toEqual([{ file: 'broken.md', message: expect.any(String) }]);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
