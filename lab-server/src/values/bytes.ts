/** Bytes as people read them, in binary units (the original's "4 KB × 512K ≈ 2 GB" is 4 KiB × 524,288 = 2 GiB). */
export function bytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} bytes` : `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ${units[i]}`;
}
