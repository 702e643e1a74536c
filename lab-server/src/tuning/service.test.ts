import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from '../../test/support/servers.js';
import { ParameterValueError, readParameters, setParameter, type TunableShard } from './service.js';

let servers: TestServers;
let shards: TunableShard[];
beforeAll(async () => {
  servers = await startTestServers(2);
  shards = servers.urls.map((url, i) => ({ name: `shard-${i}`, pool: new pg.Pool({ connectionString: url, max: 2 }) }));
});
afterAll(async () => {
  await Promise.all(shards?.map((s) => s.pool.end()) ?? []);
  await servers?.stop();
});

const settingOn = async (name: string) => (await readParameters(shards)).map((s) => s.parameters.find((p) => p.name === name)!);

/** A new session, as a request would open: does it see the value? */
async function newSession(url: string, name: string): Promise<string> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]!.v;
  } finally {
    await c.end();
  }
}

describe('tuning parameters', () => {
  it('sets an allowed parameter on every shard, in force for new sessions without a restart, and resets it', async () => {
    const after = await setParameter(shards, 'work_mem', '64MB');
    for (const s of after)
      expect(s.parameters.find((p) => p.name === 'work_mem')).toMatchObject({ setting: '64MB', source: 'configuration file', pending_restart: false });
    expect(await newSession(servers.urls[1]!, 'work_mem')).toBe('64MB');
    await setParameter(shards, 'work_mem', null);
    expect((await settingOn('work_mem')).map((p) => p.setting)).toEqual(['4MB', '4MB']);
  });

  it('says when a value waits for a restart', async () => {
    const after = await setParameter(shards.slice(0, 1), 'shared_buffers', '64MB');
    expect(after[0]!.parameters.find((p) => p.name === 'shared_buffers')).toMatchObject({ pending_restart: true, context: 'postmaster' });
    await setParameter(shards.slice(0, 1), 'shared_buffers', null);
  });

  it('passes PostgreSQL’s own refusal on, and leaves every shard as it was', async () => {
    await setParameter(shards, 'random_page_cost', '1.1');
    const err = await setParameter(shards, 'random_page_cost', 'fast').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterValueError);
    expect((err as Error).message).toMatch(/shard-0: .*random_page_cost/);
    expect((await settingOn('random_page_cost')).map((p) => p.setting)).toEqual(['1.1', '1.1']);
    await setParameter(shards, 'random_page_cost', null);
  });
});
