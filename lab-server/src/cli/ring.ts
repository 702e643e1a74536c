import type { RingVersion } from '../cluster/topology-store.js';
import { api } from './http-client.js';
import { formatTable } from './output.js';

/** `lab ring`: every ring version the cluster has routed by, newest last. */
export async function ringCommand(): Promise<void> {
  const { body } = await api<{ versions: RingVersion[] }>('GET', '/lab/v1/ring/versions');
  console.log(
    formatTable(
      ['version', 'strategy', 'vnodes', 'shards', 'why', 'when'],
      body.versions.map((v) => [v.version, v.strategy, v.vnodes ?? '-', v.shards.map((s) => s.name).join(' '), v.reason, v.created_at]),
    ),
  );
}
