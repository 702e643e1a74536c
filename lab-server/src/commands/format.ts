/** Plain aligned text tables (psql-like), with no dependency: the CLI, the terminal and db-shell print these. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(show));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}

export function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** 12,345 (or '-' when there is no number). */
export const num = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${num(x, x < 10 ? 2 : 1)} ms`);
export const pct = (f: number): string => `${(f * 100).toFixed(2)} %`;

/** The port of a postgres:// URL (the shard tables show it). */
export function portOf(url: string): string {
  try {
    return new URL(url).port || '5432';
  } catch {
    return '-';
  }
}
