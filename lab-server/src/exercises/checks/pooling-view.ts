import { errorMessage } from '../../net/self-client.js';
import type { ClientsResult, PoolingMode } from '../../pooling/pooling.js';
import type { StatementsTrial } from '../../pooling/statements-trial.js';
import type { ExerciseContext } from '../context.js';

/** What `GET /lab/v1/pooling` answers, as the pooling checks use it. */
export interface PoolingView {
  mode: PoolingMode;
  install_hint: string | null;
  last_clients: ClientsResult | null;
  last_statements: StatementsTrial | null;
}

/** The lab's pooling, read through its own API as a learner would; a failure (or no PgBouncer) says so instead of judging. */
export async function poolingView(ctx: ExerciseContext): Promise<PoolingView | string> {
  const reply = await ctx.api.call<PoolingView>('GET', '/lab/v1/pooling');
  if (reply.status !== 200) return `Could not read GET /lab/v1/pooling: ${errorMessage(reply)}`;
  return reply.body.install_hint ?? reply.body;
}
