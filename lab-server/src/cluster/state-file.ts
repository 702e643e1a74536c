import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** `.lab/cluster.json`: which process owns the embedded servers, so other lab commands can find or clean them. */
const ServerEntry = z.object({ name: z.string(), port: z.number().int(), url: z.string(), pid: z.number().int().nullable(), data_dir: z.string() });
const StateSchema = z.object({
  owner_pid: z.number().int(),
  started_at: z.string(),
  shards: z.array(ServerEntry),
  replicas: z.array(ServerEntry).default([]),
  catalog: ServerEntry.nullable(),
});
export type ServerEntry = z.infer<typeof ServerEntry>;
export type ClusterState = z.infer<typeof StateSchema>;

export const stateFile = (dataDir: string): string => path.join(dataDir, 'cluster.json');

export async function readState(dataDir: string): Promise<ClusterState | null> {
  try {
    return StateSchema.parse(JSON.parse(await fsp.readFile(stateFile(dataDir), 'utf8')));
  } catch {
    return null;
  }
}

export async function writeState(dataDir: string, state: ClusterState): Promise<void> {
  await fsp.mkdir(dataDir, { recursive: true });
  const tmp = `${stateFile(dataDir)}.${process.pid}`;
  await fsp.writeFile(tmp, JSON.stringify(state, null, 2));
  await fsp.rename(tmp, stateFile(dataDir));
}

export async function removeState(dataDir: string, ownerPid: number): Promise<void> {
  const current = await readState(dataDir);
  if (current?.owner_pid === ownerPid) await fsp.rm(stateFile(dataDir), { force: true });
}
