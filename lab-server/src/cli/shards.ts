import { parseArgs } from 'node:util';
import type { PromotionReport } from '../failover/promote.js';
import type { ReshardPlan } from '../resharding/plan.js';
import { api } from './http-client.js';
import { CliError, formatTable } from './output.js';
import { followJob } from './seed.js';

const USAGE = `usage: lab shards [plan [--remove NAME] | add [--faithful] [--url URL] [--pause-before STEP,…] | remove NAME [--faithful] [--pause-before STEP,…] | kill NAME | start NAME | pause NAME | resume NAME | replica NAME | promote NAME]`;
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** `lab shards …`: the cluster's shards, and changing them online (the same API the UI uses). */
export async function shardsCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case undefined:
      return stats();
    case 'plan':
      return plan(rest);
    case 'add':
      return add(rest);
    case 'remove':
      return remove(rest);
    case 'kill':
    case 'start':
    case 'pause':
    case 'resume':
      return fault(action, rest[0]);
    case 'replica':
      return addReplica(rest[0]);
    case 'promote':
      return promote(rest[0]);
    default:
      throw new CliError(USAGE);
  }
}

interface Stats {
  total_users: number;
  shard_count: number;
  shards: { shard_name: string; user_count: number | null; healthy: boolean }[];
}

/** Users per shard (the original's `make shards`). */
async function stats(): Promise<void> {
  const { body } = await api<Stats>('GET', '/api/v1/shards/stats');
  const total = body.total_users || 1;
  console.log(
    formatTable(
      ['shard', 'users', 'share', 'healthy'],
      body.shards.map((s) => [s.shard_name, s.user_count ?? 'n/a', s.user_count === null ? '' : pct(s.user_count / total), s.healthy ? 'yes' : 'NO']),
    ),
  );
  console.log(`\ntotal ${body.total_users.toLocaleString('en-US')} users on ${body.shard_count} shards`);
}

async function plan(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { remove: { type: 'string' } } });
  const body = values.remove ? { action: 'remove', shard: values.remove } : { action: 'add' };
  const { body: p } = await api<ReshardPlan>('POST', '/lab/v1/shards/plan', body);
  const after = new Map(p.shares_after.map((s) => [s.shard, s.share]));
  const names = [...new Set([...p.shards_before, ...p.shards_after])];
  console.log(
    formatTable(
      ['shard', 'share now', 'share after'],
      names.map((n) => [n, pct(p.shares_before.find((s) => s.shard === n)?.share ?? 0), pct(after.get(n) ?? 0)]),
    ),
  );
  console.log('');
  console.log(formatTable(['from', 'to', 'hash ranges', 'rows'], p.streams.map((s) => [s.from.name, s.to.name, s.ranges.length, s.rows])));
  console.log(`\n${pct(p.moved_fraction)} of the key space changes owner: ${p.total_rows.toLocaleString('en-US')} rows in ${p.tables.join(', ')}.`);
}

/** `--pause-before copy,verify`: the steps a job holds before, for a learner to look around (`jobs continue ID`). */
const pauseBefore = (list: string | undefined) => (list ? { pause_before: list.split(',').map((step) => step.trim()).filter(Boolean) } : {});

async function add(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { faithful: { type: 'boolean', default: false }, url: { type: 'string' }, 'pause-before': { type: 'string' } } });
  const { body } = await api<{ job_id: string }>('POST', '/lab/v1/shards', {
    mode: values.faithful ? 'faithful' : 'rebalance',
    ...(values.url ? { url: values.url } : {}),
    ...pauseBefore(values['pause-before']),
  });
  await report(await followJob(body.job_id, values.faithful ? 'Adding a shard (faithful)' : 'Adding a shard'));
}

async function remove(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { faithful: { type: 'boolean', default: false }, 'pause-before': { type: 'string' } } });
  const name = positionals[0];
  if (!name) throw new CliError(USAGE);
  const { body } = await api<{ job_id: string }>('DELETE', `/lab/v1/shards/${encodeURIComponent(name)}?mode=${values.faithful ? 'faithful' : 'rebalance'}`, pauseBefore(values['pause-before']));
  await report(await followJob(body.job_id, `Removing ${name}`));
}

async function fault(action: string, name: string | undefined): Promise<void> {
  if (!name) throw new CliError(USAGE);
  const { body } = await api<{ name: string; status: string; pid: number | null }>('POST', `/lab/v1/shards/${encodeURIComponent(name)}/${action}`);
  console.log(`${body.name}: ${body.status}${body.pid ? ` (pid ${body.pid})` : ''}`);
}

async function addReplica(name: string | undefined): Promise<void> {
  if (!name) throw new CliError(USAGE);
  console.log(`Building a streaming replica of ${name} (base backup while it runs)…`);
  const { body } = await api<{ name: string; replicas: { name: string; url: string; pid: number | null }[] }>('POST', `/lab/v1/shards/${encodeURIComponent(name)}/replicas`);
  for (const r of body.replicas) console.log(`${r.name}: ${r.url.replace(/:[^:@/]*@/, ':***@')}${r.pid ? ` (pid ${r.pid})` : ''}`);
}

async function promote(name: string | undefined): Promise<void> {
  if (!name) throw new CliError(USAGE);
  const { body: r } = await api<PromotionReport>('POST', `/lab/v1/shards/${encodeURIComponent(name)}/promote`);
  const port = (url: string) => /:(\d+)\//.exec(url)?.[1] ?? url;
  console.log(`${r.shard}: ${r.kind} — the primary moved from port ${port(r.old_primary.url)} to port ${port(r.new_primary.url)} (ring version ${r.ring_version}).`);
  console.log(`writes to ${r.shard}'s keys waited ${r.pause_ms} ms; the replica had received WAL up to ${r.received_lsn}.`);
  if (r.writes_at_risk.count === 0) console.log('no acknowledged write was past that point: nothing was lost.');
  else console.log(`${r.writes_at_risk.count} acknowledged user writes were past that point and are lost, e.g. ${r.writes_at_risk.user_ids.slice(0, 5).join(', ')}.`);
}

async function report(job: { result?: Record<string, unknown>; notes?: { phase: string | null; message: string }[] }): Promise<void> {
  for (const n of job.notes ?? []) console.log(`  [${n.phase ?? '-'}] ${n.message}`);
  const r = job.result ?? {};
  if (typeof r.pause_ms === 'number') {
    console.log(`\nwrites to the moving ranges paused ${String(r.verify_pause_ms)} ms to take the verify snapshots and ${r.pause_ms} ms at cutover; ring version ${String(r.ring_version)}`);
  }
  if (typeof r.orphaned_rows === 'number') console.log(`\n${r.orphaned_rows} rows are now orphaned: the new ring looks for them on another shard (GET by id answers 404).`);
  await stats();
}
