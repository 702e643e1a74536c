import { describe, expect, it } from 'vitest';
import type { ConnectionMemoryResult } from '../../contracts/connection-memory.js';
import { connectionMemory, judgeConnectionMemory } from './connection-memory.js';

const MB = 1024 * 1024;
const claim = { claimed_bytes_per_connection: 4096, claimed_total_gb: 2 };

/** A trial of 2,000 connections whose RSS grew by `per` bytes each, on a machine with `fdSoft` descriptors. */
const trial = (per: number, fdSoft: number | null = 20_000, availableMb = 22_000): ConnectionMemoryResult => {
  const before = 80 * MB;
  const byMemory = per > 0 ? Math.floor((availableMb * MB) / per) : null;
  const byFd = fdSoft === null ? null : fdSoft - 1024;
  return {
    finished_at: '2026-01-01T00:00:00.000Z',
    server: 'node:http v20.20.2',
    server_pid: 4242,
    requested: 2_000,
    connections: 2_000,
    open_on_server: 2_000,
    capped: null,
    rss_source: 'proc',
    before: { rss_bytes: before, heap_used_bytes: 6 * MB, heap_total_bytes: 16 * MB, external_bytes: 2 * MB },
    after: { rss_bytes: before + per * 2_000, heap_used_bytes: 6 * MB + 2_900 * 2_000, heap_total_bytes: 30 * MB, external_bytes: 2 * MB },
    per_connection: { rss_bytes: per, heap_bytes: 2_900, rss_second_half_bytes: Math.round(per * 0.8) },
    extrapolated: [
      { connections: 524_288, label: 'the original', rss_bytes: before + per * 524_288, heap_bytes: 2_900 * 524_288 },
      { connections: 262_144, label: 'default', rss_bytes: before + per * 262_144, heap_bytes: 2_900 * 262_144 },
    ],
    limits: {
      fd_soft: fdSoft,
      fd_hard: fdSoft,
      fds_open_in_lab: 40,
      available_memory_bytes: availableMb * MB,
      connections_by_fd: byFd,
      connections_by_memory: byMemory,
      bites_first: byFd !== null && (byMemory === null || byFd <= byMemory) ? 'file descriptors' : 'memory',
    },
    ms: 2_500,
    original: { bytes_per_connection: 4096, concurrency: 524_288, default_concurrency: 262_144, total: '≈ 2 GB' },
  };
};

describe('connection-memory', () => {
  it('holds within ×2 of 4 KiB per connection, says what 524,288 would take here and that the descriptors run out first', () => {
    const m = judgeConnectionMemory(trial(6_000), claim);
    expect(m.verdict).toBe('holds');
    expect(m.measured).toBe(
      'A bare Node HTTP server (node:http v20.20.2) holding 2,000 open keep-alive connections: RSS 80.0 MiB → 91.4 MiB, 5.86 KiB per connection (V8 heap 2.83 KiB of it); 524,288 connections would take about 3.01 GiB here.',
    );
    expect(m.why).toBe(
      '5.86 KiB per connection is ×1.46 the claimed 4.00 KiB (within ×2). The second half of the connections cost 4.69 KiB each: the rest of the average is what the process grew by once (a larger heap), which more connections share. ' +
        "524,288 connections would take about 3.01 GiB of RSS in one Node process (the heap alone 1.42 GiB), against the original's 2 GB for Fiber. Kernel socket buffers come on top, outside RSS. " +
        'The limit that bites first on this machine is the file-descriptor limit: ulimit -n is 20,000, so one process holds about 18,976 connections — 524,288 needs ulimit -n raised first (the hard limit is 20,000, so by root); the 21.5 GiB of memory available would hold about 3,844,778 at this rate.',
    );
  });

  it('fails outside ×2 either way, and names memory when it runs out before the descriptors', () => {
    expect(judgeConnectionMemory(trial(10_211), claim)).toMatchObject({
      verdict: 'fails',
      why: expect.stringMatching(/^9\.97 KiB per connection is ×2\.49 the claimed 4\.00 KiB \(outside ×2\)/),
    });
    expect(judgeConnectionMemory(trial(1_500), claim).verdict).toBe('fails');
    const memory = judgeConnectionMemory(trial(10_000, 10_000_000, 100), claim);
    expect(memory.why).toMatch(
      /The limit that bites first on this machine is memory; the 100\.0 MiB of memory available would hold about 10,485 at this rate, fewer than the 10,000,000 descriptors/,
    );
  });

  it('is unsettled when the server did not grow, and says what it runs', () => {
    expect(judgeConnectionMemory(trial(0), claim).verdict).toBe('unsettled');
    expect(judgeConnectionMemory(trial(-20), claim).verdict).toBe('unsettled');
    expect(connectionMemory.runs!({ kind: 'connection-memory', connections: 2_000, ...claim })).toMatch(
      /^Starts a bare Node HTTP server in a child process, opens 2,000 keep-alive connections/,
    );
    expect(connectionMemory.spec.safeParse({ kind: 'connection-memory', connections: 2_000, ...claim, factor: 3 }).success).toBe(false);
  });
});
