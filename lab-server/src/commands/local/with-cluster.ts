import { Cluster } from '../../cluster/cluster.js';
import { loadConfig, type LabConfig } from '../../config.js';

const quiet = (message: string) => console.error(`[lab] ${message}`);

/**
 * Runs `fn` against the shards: the running lab's (found through `.lab/cluster.json`), LAB_SHARDS, or,
 * when nothing runs, embedded servers started just for this command and stopped after it.
 */
export async function withCluster<T>(fn: (cluster: Cluster, config: LabConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const cluster = await Cluster.open(config, quiet);
  try {
    return await fn(cluster, config);
  } finally {
    await cluster.close();
  }
}
