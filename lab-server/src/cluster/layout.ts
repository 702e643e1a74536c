import path from 'node:path';
import type { LabConfig } from '../config.js';
import { EmbeddedServer } from './embedded-server.js';
import { shardName, type Shard } from './shard.js';
import type { ShardSet } from './shard-set.js';
import { removeState, writeState, type ServerEntry } from './state-file.js';
import type { ShardSpec } from './topology-store.js';

interface Place {
  dataDir: string;
  port: number;
}

/**
 * Where the embedded servers live (data directory and port per shard and replica) and `.lab/cluster.json`,
 * which lists the running ones so other lab commands and orphan cleanup find them.
 */
export class ServerLayout {
  constructor(
    private readonly set: ShardSet,
    private readonly config: Pick<LabConfig, 'dataDir' | 'initdbTemplate' | 'shardBasePort' | 'replicaBasePort'>,
    /** Servers this process started besides the shards (the catalog). */
    private readonly ownServers: readonly EmbeddedServer[],
  ) {}

  spec(id: number, slot: 0 | 1 = 0): ShardSpec {
    const { port } = this.place(id, slot);
    return { id, name: shardName(id), url: EmbeddedServer.urlFor(port), port, ...(slot ? { slot } : {}) };
  }

  server(spec: ShardSpec): EmbeddedServer {
    return new EmbeddedServer({ name: spec.name, ...this.place(spec.id, spec.slot ?? 0), initTemplate: this.config.initdbTemplate });
  }

  /** Where the shard's replica lives (or would): the place its primary does not use. */
  replicaPlace(shard: Shard): Place {
    return this.place(shard.id, shard.slot === 0 ? 1 : 0);
  }

  /** Lists the servers this process owns now (a promoted replica under its shard's name). */
  async save(): Promise<void> {
    const own = this.set.shards.filter((s) => s.server);
    if (own.length === 0 && this.ownServers.length === 0) return;
    const catalogServer = this.ownServers[0];
    const replicas = this.set.shards.flatMap((s) => (s.replica?.server ? [entry(s.replica.server, s.replica.name)] : []));
    await writeState(this.config.dataDir, {
      owner_pid: process.pid,
      started_at: new Date().toISOString(),
      shards: own.map((s) => entry(s.server!, s.name)),
      replicas,
      catalog: catalogServer ? entry(catalogServer, catalogServer.spec.name) : null,
    });
  }

  /** Removes the list, if this process wrote it. */
  async forget(): Promise<void> {
    await removeState(this.config.dataDir, process.pid);
  }

  /**
   * Two directories and ports per shard, one for the primary and one for its replica. A promotion swaps their
   * roles, so neither server has to move.
   */
  private place(id: number, slot: 0 | 1): Place {
    return slot === 0
      ? { dataDir: path.join(this.config.dataDir, shardName(id)), port: this.config.shardBasePort + id }
      : { dataDir: path.join(this.config.dataDir, `${shardName(id)}-replica`), port: this.config.replicaBasePort + id };
  }
}

/** A server as `.lab/cluster.json` lists it, named by its role now (a promoted replica is listed as its shard). */
const entry = (s: EmbeddedServer, name: string): ServerEntry => ({ name, port: s.spec.port, url: s.url, pid: s.pid, data_dir: s.spec.dataDir });
