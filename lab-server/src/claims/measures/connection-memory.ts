import { z } from 'zod';
import { ConnectionMemoryResult, MAX_TRIAL_CONNECTIONS, MIN_TRIAL_CONNECTIONS } from '../../contracts/connection-memory.js';
import { jobResult, startAndWait } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import { bytes } from '../../values/bytes.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

/** How far the measured bytes per connection may be from the claim, either way, for the claim to hold. */
export const FACTOR = 2;

const spec = measureSchema('connection-memory', {
  connections: z.number().int().min(MIN_TRIAL_CONNECTIONS).max(MAX_TRIAL_CONNECTIONS),
  claimed_bytes_per_connection: z.number().positive(),
  claimed_total_gb: z.number().positive(),
});
type Spec = z.output<typeof spec>;

/** What runs out first when one server process holds more and more connections: descriptors or memory. */
function limitSentence(r: ConnectionMemoryResult, target: number): string {
  const { fd_soft, fd_hard, connections_by_fd, connections_by_memory, available_memory_bytes } = r.limits;
  const byMemory =
    connections_by_memory === null
      ? ''
      : `; the ${bytes(available_memory_bytes)} of memory available would hold about ${fmt(connections_by_memory)} at this rate`;
  if (r.limits.bites_first === 'file descriptors' && connections_by_fd !== null) {
    const raise =
      fd_soft !== null && fd_soft < target
        ? ` — ${fmt(target)} needs ulimit -n raised first${fd_hard !== null && fd_hard < target ? ` (the hard limit is ${fmt(fd_hard)}, so by root)` : ''}`
        : '';
    return `The limit that bites first on this machine is the file-descriptor limit: ulimit -n is ${fmt(fd_soft ?? 0)}, so one process holds about ${fmt(connections_by_fd)} connections${raise}${byMemory}.`;
  }
  return `The limit that bites first on this machine is memory${byMemory}, fewer than the ${fd_soft === null ? 'unlimited' : fmt(fd_soft)} descriptors ulimit -n allows.`;
}

/** The claim "about 4 KB per connection, so 512K ≈ 2 GB" holds when the measured RSS per connection is within ×FACTOR of it. */
export function judgeConnectionMemory(r: ConnectionMemoryResult, s: Pick<Spec, 'claimed_bytes_per_connection' | 'claimed_total_gb'>): Measurement {
  const per = r.per_connection.rss_bytes;
  const at = r.extrapolated[0]!;
  const capped = r.capped ? ` (capped from ${fmt(r.requested)}: ${r.capped})` : '';
  const measured = `A bare Node HTTP server (${r.server}) holding ${fmt(r.connections)} open keep-alive connections${capped}: RSS ${bytes(r.before.rss_bytes)} → ${bytes(r.after.rss_bytes)}, ${bytes(per)} per connection (V8 heap ${bytes(r.per_connection.heap_bytes)} of it); ${fmt(at.connections)} connections would take about ${bytes(at.rss_bytes)} here.`;
  if (per <= 0) return { measured, verdict: 'unsettled', why: 'The server did not grow with the connections this time; run it with more connections.' };
  const ratio = per / s.claimed_bytes_per_connection;
  const within = ratio >= 1 / FACTOR && ratio <= FACTOR;
  const here = `${fmt(at.connections)} connections would take about ${bytes(at.rss_bytes)} of RSS in one Node process (the heap alone ${bytes(at.heap_bytes)}), against the original's ${s.claimed_total_gb} GB for Fiber. Kernel socket buffers come on top, outside RSS.`;
  const half = `The second half of the connections cost ${bytes(r.per_connection.rss_second_half_bytes)} each: the rest of the average is what the process grew by once (a larger heap), which more connections share.`;
  const why = `${bytes(per)} per connection is ×${ratio.toFixed(2)} the claimed ${bytes(s.claimed_bytes_per_connection)} (${within ? 'within' : 'outside'} ×${FACTOR}). ${half} ${here} ${limitSentence(r, at.connections)}`;
  return { measured, verdict: within ? 'holds' : 'fails', why };
}

/** A connection-memory trial through the lab's API (a job), judged against the claimed bytes per connection. */
export const connectionMemory: MeasureKind<Spec> = {
  kind: 'connection-memory',
  spec,
  runs: (s) =>
    `Starts a bare Node HTTP server in a child process, opens ${fmt(s.connections)} keep-alive connections to it (fewer if ulimit -n does not leave room), measures its memory with them open, then closes them and stops the server.`,
  async measure(s, ctx) {
    const job = await startAndWait(ctx, 'POST', '/lab/v1/tuning/connection-memory', { connections: s.connections });
    return judgeConnectionMemory(jobResult(job, ConnectionMemoryResult), s);
  },
};
