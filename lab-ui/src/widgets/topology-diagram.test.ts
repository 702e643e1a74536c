import { describe, expect, it } from 'vitest';
import type { Topology } from '../types';
import { topologyLayout } from './topology-diagram';

const topology = (lagSeconds: number | null): Topology => ({
  mode: 'embedded',
  shards: [
    {
      id: 0,
      name: 'shard-0',
      url: 'postgres://lab@127.0.0.1:5433/lab',
      role: 'primary',
      status: 'up',
      pid: 1,
      in_ring: true,
      replicas: [
        {
          name: 'shard-0-replica-1',
          url: 'postgres://lab@127.0.0.1:5440/lab',
          role: 'replica',
          status: 'up',
          pid: 2,
          lag_bytes: 0,
          lag_seconds: lagSeconds,
          state: 'streaming',
        },
      ],
    },
  ],
  ring: { strategy: 'consistent-hash', vnodes: 150, version: 1, shards: ['shard-0'], shares: [1] },
  ring_versions: [],
  jobs: [],
  reads: { policy: 'primary', primary_reads: 0, replica_reads: 0, stale_reads: 0 },
});

describe('topology drawing', () => {
  it('draws a replica at the end of a WAL stream with its lag, under the shard it streams from', () => {
    const layout = topologyLayout(topology(0.2), null);
    expect(layout.shards).toEqual([expect.objectContaining({ name: 'shard-0', detail: ':5433 · up', state: 'up', inRing: true, share: '100.0 %' })]);
    expect(layout.replicas).toEqual([
      expect.objectContaining({ name: 'shard-0-replica-1', x: layout.shards[0]!.x, state: 'up', stream: 'WAL stream · lag < 1 s' }),
    ]);
    expect(layout.height).toBeGreaterThan(layout.replicas[0]!.y);
  });

  it('names a lagging stream in seconds and marks the replica lagging', () => {
    expect(topologyLayout(topology(3.4), null).replicas[0]).toMatchObject({ state: 'lagging', stream: 'WAL stream · lag 3 s' });
  });

  it('says a stopped replica has no stream', () => {
    const t = topology(null);
    t.shards[0]!.replicas[0]!.status = 'down';
    expect(topologyLayout(t, null).replicas[0]).toMatchObject({ state: 'down', stream: 'down — no stream' });
  });
});
