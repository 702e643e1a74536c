import type { JobView } from '../jobs/registry.js';
import type { Route } from '../sharding/router.js';
import { api } from './http-client.js';
import { CliError, formatTable } from './output.js';

/** `lab health`: the lab's `/health`, exit code 1 when degraded. */
export async function healthCommand(): Promise<void> {
  const { status, body } = await api<{ status: string; shards: { name: string; healthy: boolean }[] }>('GET', '/health');
  console.log(formatTable(['shard', 'healthy'], body.shards.map((s) => [s.name, s.healthy ? 'yes' : 'NO'])));
  console.log(`\nstatus: ${body.status}`);
  if (status !== 200) throw new CliError('', 1);
}

/** `lab route KEY`: which shard owns a key, and why. */
export async function routeCommand(args: string[]): Promise<void> {
  const key = args[0];
  if (!key) throw new CliError('usage: lab route <user-id>');
  const { body } = await api<Route>('GET', `/lab/v1/route?key=${encodeURIComponent(key)}`);
  console.log(formatTable(['key', 'normalized', 'hash', 'hash (hex)', 'vnode', 'shard'], [
    [body.key, body.normalized_key, body.hash, `0x${body.hash.toString(16).padStart(8, '0')}`, body.vnode ?? '-', body.shard_name],
  ]));
}

/** `lab jobs [ID | cancel ID | continue ID]`: recent jobs, one job in full, or a nudge to a running one. */
export async function jobsCommand(args: string[]): Promise<void> {
  const [action, id] = args;
  if (action === 'cancel' || action === 'continue') {
    if (!id) throw new CliError(`usage: lab jobs ${action} ID`);
    const { body } = await api<JobView>('POST', `/lab/v1/jobs/${encodeURIComponent(id)}/${action}`);
    const what =
      action === 'continue' ? `goes on${body.phase ? ` (${body.phase})` : ''}`
      : body.state === 'running' ? 'cancelling: it undoes what it started (follow it with `lab jobs ID`)'
      : body.state === 'cancelled' ? 'cancelled'
      : `already ${body.state}: nothing to cancel`;
    console.log(`${body.kind} ${body.id}: ${what}`);
    return;
  }
  if (args[0]) {
    const { body } = await api<JobView>('GET', `/lab/v1/jobs/${encodeURIComponent(args[0])}`);
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  const { body } = await api<{ jobs: JobView[] }>('GET', '/lab/v1/jobs');
  console.log(
    formatTable(
      ['id', 'kind', 'state', 'phase', 'progress', 'created'],
      body.jobs.map((j) => [j.id, j.kind, j.state, j.phase ?? '-', `${j.progress.done}/${j.progress.total}`, j.created_at]),
    ),
  );
}
