import type { ReadLoadTrial } from '../../contracts/read-load.js';
import { errorMessage } from '../../net/self-client.js';
import type { ReadTrial } from '../../reads/trial.js';
import type { ExerciseContext } from '../context.js';

/** What `GET /lab/v1/reads` answers, as the read checks use it. */
export interface ReadsView {
  policy: string;
  replicas: {
    shard: string;
    replica: string;
    status: 'up' | 'down';
    error: string | null;
    log: string[];
    lag_bytes: number | null;
    apply_delay_ms: number | null;
  }[];
  last_trial: ReadTrial | null;
  last_load: ReadLoadTrial | null;
}

/** The lab's reads, read through its own API as a learner would; a failure says so instead of judging. */
export async function readsView(ctx: ExerciseContext): Promise<ReadsView | string> {
  const reply = await ctx.api.call<ReadsView>('GET', '/lab/v1/reads');
  return reply.status === 200 ? reply.body : `Could not read GET /lab/v1/reads: ${errorMessage(reply)}`;
}
