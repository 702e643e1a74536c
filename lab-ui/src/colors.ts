/** One colour per shard, by the number in its name, so shard-3 looks the same in every widget. Okabe–Ito first (colour-blind safe). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#7F6A00', '#5B3A9E', '#B2182B', '#2F7F5F', '#8C564B', '#4D4D4D'];

export function shardColor(nameOrIndex: string | number): string {
  const n = typeof nameOrIndex === 'number' ? nameOrIndex : Number(/(\d+)$/.exec(nameOrIndex)?.[1] ?? 0);
  return PALETTE[n % PALETTE.length]!;
}
