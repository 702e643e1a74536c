import { ConnectionMemoryResult, MIN_TRIAL_CONNECTIONS } from '../contracts/connection-memory.js';
import { bytes } from '../values/bytes.js';
import { post } from './api.js';
import { noArgs, wholeNumber } from './args.js';
import { defineCommand } from './command.js';
import { followJob } from './follow-job.js';
import { formatTable, num } from './format.js';
import { JobStarted } from './replies.js';

export const memory = defineCommand({
  name: 'tune memory',
  usage: 'tune memory [--connections N]',
  summary: "memory per open connection: a bare Node HTTP server holding N keep-alive connections, extrapolated to the original's 524,288; a job",
  flags: { connections: 'string' },
  args: noArgs.extend({ connections: wholeNumber('--connections', MIN_TRIAL_CONNECTIONS).optional() }),
  async run({ connections }, ctx) {
    const { job_id } = await post(ctx.lab, '/lab/v1/tuning/connection-memory', JobStarted, connections === undefined ? {} : { connections });
    const job = await followJob(ctx, job_id, 'Opening connections to a bare HTTP server');
    const r = ConnectionMemoryResult.parse(job.result);
    const table = formatTable(
      ['', 'RSS', 'V8 heap'],
      [
        ['at rest', bytes(r.before.rss_bytes), bytes(r.before.heap_used_bytes)],
        [`${num(r.connections)} open`, bytes(r.after.rss_bytes), bytes(r.after.heap_used_bytes)],
        ['per connection', bytes(r.per_connection.rss_bytes), bytes(r.per_connection.heap_bytes)],
        ['  the second half', bytes(r.per_connection.rss_second_half_bytes), ''],
        ...r.extrapolated.map((e) => [`${num(e.connections)} (${e.label})`, bytes(e.rss_bytes), bytes(e.heap_bytes)]),
      ],
    );
    const l = r.limits;
    const limits = `ulimit -n ${l.fd_soft ?? 'unlimited'} (hard ${l.fd_hard ?? 'unlimited'}): one process holds about ${l.connections_by_fd === null ? '?' : num(l.connections_by_fd)} connections; available memory about ${l.connections_by_memory === null ? '?' : num(l.connections_by_memory)}. The ${l.bites_first} limit bites first.`;
    const lines = [
      `${r.server}, pid ${r.server_pid} (stopped): ${num(r.open_on_server)} connections open on the server, RSS from ${r.rss_source === 'proc' ? '/proc/<pid>/status' : 'process.memoryUsage()'}.`,
      ...(r.capped ? [`Capped from ${num(r.requested)}: ${r.capped}.`] : []),
      table,
      limits,
      ctx.style.dim(`The original: Fiber, ${bytes(r.original.bytes_per_connection)} per connection, ${num(r.original.concurrency)} ${r.original.total}.`),
    ];
    return { data: r, text: lines.join('\n') };
  },
});
