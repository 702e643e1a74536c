import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../cluster/embedded-server.js';
import { JobCancelledError } from '../jobs/registry.js';
import { FD_HEADROOM, fdLimits, measureConnectionMemory, planConnections, type TrialContext } from './connection-memory.js';

/** This process's children that run the trial's server, from /proc. */
function trialServers(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1];
        return Number(ppid) === process.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('connection-memory-server');
      } catch {
        return false;
      }
    })
    .map(Number);
}

const context = (onProgress: (done: number, total?: number) => void = () => undefined) => {
  const notes: string[] = [];
  const abort = new AbortController();
  const ctx: TrialContext = { signal: abort.signal, progress: onProgress, note: (m) => notes.push(m) };
  return { ctx, notes, abort };
};

describe('memory per open connection', () => {
  it('reads the file-descriptor limit and caps the connections under it, with headroom', () => {
    const fd = fdLimits();
    expect(fd.soft).toBeGreaterThan(0);
    expect(fd.open).toBeGreaterThan(0);
    expect(planConnections(500, { soft: 100_000, hard: null, open: 50 })).toEqual({ connections: 500, capped: null });
    const capped = planConnections(5_000, { soft: 4_096, hard: 4_096, open: 72 });
    expect(capped.connections).toBe(4_096 - 72 - FD_HEADROOM);
    expect(capped.capped).toMatch(/^ulimit -n is 4096 and the lab holds 72 descriptors/);
    expect(planConnections(5_000, { soft: null, hard: null, open: null })).toEqual({ connections: 5_000, capped: null });
    // A small limit keeps a quarter free; one that leaves no room for a trial starts nothing.
    expect(planConnections(5_000, { soft: 1_024, hard: 4_096, open: 40 }).connections).toBe(1_024 - 40 - 256);
    expect(() => planConnections(5_000, { soft: 256, hard: 256, open: 100 })).toThrow(
      /ulimit -n is 256 and the lab holds 100 descriptors: too few left for 100 connections/,
    );
  });

  it('measures a bare HTTP server in a child process with N connections open, and stops it by its pid', async () => {
    const seen: number[] = [];
    const { ctx, notes } = context((done) => seen.push(done));
    const r = await measureConnectionMemory(300, ctx);
    expect(isAlive(r.server_pid)).toBe(false);
    expect(trialServers()).toEqual([]);
    expect([r.requested, r.connections, r.capped]).toEqual([300, 300, null]);
    // Warm-up connections the server has not yet seen closed may still be counted.
    expect(r.open_on_server).toBeGreaterThanOrEqual(300);
    expect(seen.at(-1)).toBe(300);
    for (const m of [r.before, r.after]) {
      expect(m.rss_bytes).toBeGreaterThan(0);
      expect(m.heap_used_bytes).toBeGreaterThan(0);
      expect(m.heap_total_bytes).toBeGreaterThanOrEqual(m.heap_used_bytes);
    }
    expect(r.per_connection.rss_bytes).toBe(Math.round((r.after.rss_bytes - r.before.rss_bytes) / 300));
    expect(r.per_connection.heap_bytes).toBe(Math.round((r.after.heap_used_bytes - r.before.heap_used_bytes) / 300));
    expect(Number.isInteger(r.per_connection.rss_second_half_bytes)).toBe(true);
    expect(r.extrapolated.map((e) => e.connections)).toEqual([524_288, 262_144]);
    const [big, small] = r.extrapolated;
    expect(big!.rss_bytes - r.before.rss_bytes).toBeCloseTo(2 * (small!.rss_bytes - r.before.rss_bytes), -2);
    expect(r.limits.fd_soft).toBe(fdLimits().soft);
    expect(r.limits.connections_by_fd).toBe(r.limits.fd_soft! - FD_HEADROOM);
    expect(notes.join('\n')).toContain(`Server pid ${r.server_pid}`);
  });

  it('stops the server by its pid when the trial is cancelled midway', async () => {
    const during: number[] = [];
    const { ctx, abort } = context(() => {
      if (during.length === 0) during.push(...trialServers());
      abort.abort();
    });
    await expect(measureConnectionMemory(1_000, ctx)).rejects.toBeInstanceOf(JobCancelledError);
    expect(during).toHaveLength(1);
    expect(isAlive(during[0]!)).toBe(false);
    expect(trialServers()).toEqual([]);
  });
});
