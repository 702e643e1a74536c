import { describe, expect, it } from 'vitest';
import { wrapToColumns } from './wrap';

describe('wrapToColumns', () => {
  it('breaks at spaces and indents a help row under its summary', () => {
    const row = '  shards add [--stepwise]   add a shard and move its keys to it, online, with verification';
    const wrapped = wrapToColumns(row, 60).split('\n');
    expect(wrapped).toEqual(['  shards add [--stepwise]   add a shard and move its keys to', '                            it, online, with verification']);
    for (const line of wrapped) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('counts colours as no width and keeps them, and leaves short lines, tables and narrow terminals alone', () => {
    const red = `\x1b[31m${'word '.repeat(10).trim()}\x1b[0m`;
    const wrapped = wrapToColumns(red, 24);
    expect(wrapped.replaceAll('\x1b[31m', '').replaceAll('\x1b[0m', '').split('\n')).toEqual(['word word word word word', 'word word word word word']);
    expect(wrapped.startsWith('\x1b[31m')).toBe(true);
    expect(wrapToColumns('short', 40)).toBe('short');
    const table = `${'a'.repeat(30)} | ${'b'.repeat(30)}`;
    expect(wrapToColumns(table, 40)).toBe(table);
    expect(wrapToColumns('x '.repeat(30), 10)).toBe('x '.repeat(30));
  });

  it('cuts a word longer than the line rather than running past it', () => {
    expect(
      wrapToColumns('a'.repeat(50), 20)
        .split('\n')
        .map((l) => l.length),
    ).toEqual([20, 20, 10]);
  });
});
