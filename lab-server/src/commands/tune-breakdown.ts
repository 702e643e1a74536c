import { Breakdown } from '../contracts/breakdown.js';
import { callCommand } from './call-command.js';
import type { CommandContext } from './command.js';
import { formatTable, ms, num } from './format.js';

function show(r: Breakdown, ctx: CommandContext) {
  const part = (p: { p50: number; p95: number }) => `${ms(p.p50)} / ${ms(p.p95)}`;
  const rows = r.endpoints.map((e) => [
    e.endpoint,
    num(e.requests),
    part(e.parts.total),
    part(e.parts.pool_wait),
    part(e.parts.query),
    part(e.parts.server),
    part(e.parts.serialise),
    part(e.parts.response),
  ]);
  const head = ['endpoint', 'requests', 'total p50 / p95', 'pool wait', 'query', 'server', 'serialise', 'response'];
  const hint =
    r.sample_percent === 0
      ? 'Live sampling is off: only requests that ask to be traced count. `trace sample 100` includes a load test.'
      : `${r.sample_percent} % of live /api requests are traced.`;
  return {
    data: r,
    text: `${rows.length ? formatTable(head, rows) : 'No traced /api request since the reset.'}\n${ctx.style.dim(`Since ${r.since}. ${hint}`)}`,
  };
}

export const breakdown = callCommand({
  name: 'tune breakdown',
  summary: 'where the time goes: per endpoint, p50/p95 of pool wait, query, server work, serialisation and response, from the traced requests',
  path: '/lab/v1/tuning/breakdown',
  reply: Breakdown,
  show,
});

export const breakdownReset = callCommand({
  name: 'tune breakdown reset',
  summary: 'start the latency breakdown afresh',
  method: 'DELETE',
  path: '/lab/v1/tuning/breakdown',
  reply: Breakdown,
  show: (r) => ({ data: r, text: 'The breakdown starts afresh.' }),
});
