export const fmt = (n: number): string => n.toLocaleString('en-US');
export const pct = (fraction: number, digits = 2): string => `${(fraction * 100).toFixed(digits)} %`;
export const ms = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmt(Math.round(n));
/** A signed difference in percent (`+3.2 %`, `−1.0 %`), rounded first, so a value that rounds to zero shows `0.0 %`, never `−0.0 %`. */
export const signedPct = (fraction: number, digits = 1): string => {
  const shown = (fraction * 100).toFixed(digits);
  if (Number(shown) === 0) return `${(0).toFixed(digits)} %`;
  return `${fraction > 0 ? '+' : '−'}${shown.replace('-', '')} %`;
};
export const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
/** Bytes on disk, in binary units as PostgreSQL's pg_size_pretty shows them (`8.0 kB`, `1.4 MB`). */
export const bytes = (n: number): string => {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${fmt(v)} bytes` : `${v.toFixed(1)} ${units[u]}`;
};
