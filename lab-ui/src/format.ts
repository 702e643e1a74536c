export const fmt = (n: number): string => n.toLocaleString('en-US');
export const pct = (fraction: number, digits = 2): string => `${(fraction * 100).toFixed(digits)} %`;
export const ms = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmt(Math.round(n));
export const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
