import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { StepFailed } from '../../exercises/action-kind.js';
import type { ExerciseContext } from '../../exercises/context.js';

/**
 * Runs `fn` with a PgBouncer per shard in transaction mode: the pooling the learner has on, if it is transaction
 * mode; otherwise started with `poolSize` server connections and put back as it was afterwards.
 */
export async function withTransactionPooling<T>(ctx: ExerciseContext, poolSize: number, fn: () => Promise<T>): Promise<T> {
  const now = await ctx.api.call<{ mode: string; pool_size: number | null; install_hint: string | null }>('GET', '/lab/v1/pooling');
  failUnlessOk(now, 'GET /lab/v1/pooling');
  if (now.body.install_hint) throw new StepFailed(now.body.install_hint);
  if (now.body.mode === 'transaction') return fn();
  failUnlessOk(await ctx.api.call('PUT', '/lab/v1/pooling', { mode: 'transaction', pool_size: poolSize }), 'PUT /lab/v1/pooling');
  try {
    return await fn();
  } finally {
    await ctx.api.call('PUT', '/lab/v1/pooling', now.body.mode === 'off' ? { mode: 'off' } : { mode: now.body.mode, pool_size: now.body.pool_size });
  }
}
