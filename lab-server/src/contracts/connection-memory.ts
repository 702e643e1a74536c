import { z } from 'zod';

/** The most connections a trial may ask for; the file-descriptor limit may allow fewer (the result says so). */
export const MAX_TRIAL_CONNECTIONS = 20_000;
/** Fewer drown in the noise of a process's own memory. */
export const MIN_TRIAL_CONNECTIONS = 100;

export const ConnectionMemoryInput = z.strictObject(
  {
    connections: z
      .number({ error: 'connections must be a number' })
      .int('connections must be a whole number')
      .min(MIN_TRIAL_CONNECTIONS, `connections must be at least ${MIN_TRIAL_CONNECTIONS} (fewer drown in the noise of a process)`)
      .max(MAX_TRIAL_CONNECTIONS, `connections must be at most ${MAX_TRIAL_CONNECTIONS}`)
      .default(10_000)
      .describe('keep-alive connections to open; capped by the file-descriptor limit, with headroom'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);

const Memory = z.object({
  rss_bytes: z.number().describe('resident set: VmRSS from /proc/<pid>/status where there is one'),
  heap_used_bytes: z.number().describe('V8 heap in use after a full garbage collection'),
  heap_total_bytes: z.number(),
  external_bytes: z.number().describe('memory V8 tracks outside its heap (buffers)'),
});

const Extrapolation = z.object({
  connections: z.number(),
  label: z.string(),
  rss_bytes: z.number().describe('the baseline plus the measured bytes per connection × connections'),
  heap_bytes: z.number().describe('the measured heap bytes per connection × connections'),
});

/** One trial: a bare Node HTTP server in its own process, its memory before and with N open keep-alive connections. */
export const ConnectionMemoryResult = z
  .object({
    finished_at: z.string(),
    server: z.string().describe('what served: node:http and the Node version'),
    server_pid: z.number().describe('the child process that served; stopped when the trial ends'),
    requested: z.number(),
    connections: z.number().describe('connections opened, each after one request answered'),
    open_on_server: z.number().describe('connections the server counted while they were open'),
    capped: z.string().nullable().describe('why fewer connections than requested were opened, or null'),
    rss_source: z.enum(['proc', 'process']),
    before: Memory,
    after: Memory,
    per_connection: z.object({
      rss_bytes: z.number().describe('(RSS with N open − RSS at rest) ÷ N'),
      heap_bytes: z.number().describe('(heap with N open − heap at rest) ÷ N'),
      rss_second_half_bytes: z
        .number()
        .describe('the RSS growth while the second half of the connections opened ÷ their number: without what the process grows by once'),
    }),
    extrapolated: z.array(Extrapolation),
    limits: z.object({
      fd_soft: z.number().nullable().describe('RLIMIT_NOFILE, soft: a process cannot hold more sockets than this'),
      fd_hard: z.number().nullable().describe('the ceiling a process may raise its soft limit to without privileges'),
      fds_open_in_lab: z.number().nullable(),
      available_memory_bytes: z.number(),
      connections_by_fd: z.number().nullable().describe('connections one server process can hold under the soft limit'),
      connections_by_memory: z.number().nullable().describe('available memory ÷ RSS per connection; null when the delta was not positive'),
      bites_first: z.enum(['file descriptors', 'memory']),
    }),
    ms: z.number(),
    original: z.object({ bytes_per_connection: z.number(), concurrency: z.number(), default_concurrency: z.number(), total: z.string() }),
  })
  .meta({ id: 'ConnectionMemoryResult' });
export type ConnectionMemoryResult = z.output<typeof ConnectionMemoryResult>;

export const LastConnectionMemory = z
  .object({ result: ConnectionMemoryResult.nullable().describe('the last trial since the lab started') })
  .meta({ id: 'LastConnectionMemory' });
