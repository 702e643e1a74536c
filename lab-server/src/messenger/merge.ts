/**
 * k-way merge of lists that are each already sorted by `compare`: repeatedly takes the smallest head.
 * With one list per shard (k ≤ 16) a scan over the heads beats a heap, and it never re-sorts.
 */
export function mergeSorted<T>(lists: readonly (readonly T[])[], compare: (a: T, b: T) => number, limit: number): T[] {
  const heads = lists.map(() => 0);
  const out: T[] = [];
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const item = lists[i]![heads[i]!];
      if (item === undefined) continue;
      if (best === -1 || compare(item, lists[best]![heads[best]!]!) < 0) best = i;
    }
    if (best === -1) break;
    out.push(lists[best]![heads[best]!]!);
    heads[best]!++;
  }
  return out;
}
