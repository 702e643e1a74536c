import { HASH_SPACE } from './hash.js';
import { Md5Ring } from './md5-ring.js';
import { Modulo } from './modulo.js';
import type { Arc, ShardingStrategy } from './strategy.js';

/** An inclusive hash range whose owner changes from shard index `from` (before) to `to` (after). */
export interface MovedRange {
  start: number;
  end: number;
  from: number;
  to: number;
}

/**
 * Exact fraction of the 2^32 hash space whose owning shard *name* differs
 * between the two layouts. Names, not indexes, identify a shard: `shard-2`
 * is the same physical shard before and after a resize.
 */
export function movedFraction(before: ShardingStrategy, after: ShardingStrategy, namesBefore: readonly string[], namesAfter: readonly string[]): number {
  checkNames(before, namesBefore);
  checkNames(after, namesAfter);
  return (HASH_SPACE - keptCount(before, after, namesBefore, namesAfter)) / HASH_SPACE;
}

/**
 * The hash ranges that change owner between two rings, in ascending order,
 * adjacent ranges with the same (from, to) merged — i.e. the copy plan for a
 * resize. Only rings qualify: modulo ownership is scattered, not contiguous.
 */
export function movedRanges(before: ShardingStrategy, after: ShardingStrategy, namesBefore: readonly string[], namesAfter: readonly string[]): MovedRange[] {
  if (!(before instanceof Md5Ring && after instanceof Md5Ring)) {
    throw new Error(`moved ranges need two md5-ring strategies (got ${before.name} → ${after.name}): modulo ownership is not contiguous hash ranges`);
  }
  checkNames(before, namesBefore);
  checkNames(after, namesAfter);
  const moved: MovedRange[] = [];
  for (const seg of overlay(before.arcs(), after.arcs())) {
    if (namesBefore[seg.before] === namesAfter[seg.after]) continue;
    const prev = moved[moved.length - 1];
    if (prev && prev.end + 1 === seg.start && prev.from === seg.before && prev.to === seg.after) {
      prev.end = seg.end;
    } else {
      moved.push({ start: seg.start, end: seg.end, from: seg.before, to: seg.after });
    }
  }
  return moved;
}

/** Number of hashes in [0, 2^32) owned by the same shard name on both sides. */
function keptCount(a: ShardingStrategy, b: ShardingStrategy, namesA: readonly string[], namesB: readonly string[]): number {
  if (a instanceof Md5Ring && b instanceof Md5Ring) {
    let kept = 0;
    for (const seg of overlay(a.arcs(), b.arcs())) {
      if (namesA[seg.before] === namesB[seg.after]) kept += seg.end - seg.start + 1;
    }
    return kept;
  }
  if (a instanceof Md5Ring && b instanceof Modulo) return keptRingModulo(a, b, namesA, namesB);
  if (a instanceof Modulo && b instanceof Md5Ring) return keptRingModulo(b, a, namesB, namesA);
  if (a instanceof Modulo && b instanceof Modulo) return keptModuloModulo(a, b, namesA, namesB);
  throw new Error(`movement between ${a.name} and ${b.name} is not supported`);
}

/** Each ring arc is one interval; count its hashes whose residue is the same shard's modulo index. */
function keptRingModulo(ring: Md5Ring, mod: Modulo, ringNames: readonly string[], modNames: readonly string[]): number {
  let kept = 0;
  for (const arc of ring.arcs()) {
    const residue = modNames.indexOf(ringNames[arc.shardIndex] ?? '');
    if (residue >= 0) kept += countResidue(arc.start, arc.end, mod.shardCount, residue);
  }
  return kept;
}

/**
 * Ownership under both moduli repeats every lcm(N, M) hashes, so count one
 * period, multiply, and add the partial period at the top. Cost is O(lcm),
 * at most N·M — tiny for realistic shard counts.
 */
function keptModuloModulo(a: Modulo, b: Modulo, namesA: readonly string[], namesB: readonly string[]): number {
  const n = a.shardCount;
  const m = b.shardCount;
  const period = (n / gcd(n, m)) * m;
  const fullPeriods = Math.floor(HASH_SPACE / period);
  const tail = HASH_SPACE % period;
  let perPeriod = 0;
  let inTail = 0;
  for (let h = 0; h < Math.min(period, HASH_SPACE); h++) {
    if (namesA[h % n] === namesB[h % m]) {
      perPeriod++;
      if (h < tail) inTail++;
    }
  }
  return fullPeriods * perPeriod + inTail;
}

/** Count of h in [start, end] with h % m === residue. */
function countResidue(start: number, end: number, m: number, residue: number): number {
  const below = (x: number): number => Math.floor(x / m) + (x % m > residue ? 1 : 0);
  return below(end + 1) - below(start);
}

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}

interface Segment {
  start: number;
  end: number;
  before: number;
  after: number;
}

/** Split [0, 2^32) at every breakpoint of both arc lists; each piece has one owner per side. */
function* overlay(a: readonly Arc[], b: readonly Arc[]): Generator<Segment> {
  let i = 0;
  let j = 0;
  let start = 0;
  for (let x = a[0], y = b[0]; x && y; x = a[i], y = b[j]) {
    const end = Math.min(x.end, y.end);
    yield { start, end, before: x.shardIndex, after: y.shardIndex };
    start = end + 1;
    if (x.end === end) i++;
    if (y.end === end) j++;
  }
}

function checkNames(s: ShardingStrategy, names: readonly string[]): void {
  if (names.length !== s.shardCount) {
    throw new RangeError(`${s.name} has ${s.shardCount} shards but ${names.length} names were given`);
  }
}
