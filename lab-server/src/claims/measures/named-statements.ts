import { z } from 'zod';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import { fmt } from '../../exercises/checks/format.js';
import type { StatementsTrial } from '../../pooling/statements-trial.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { withTransactionPooling } from './pooled.js';
import { measureSchema } from './spec.js';

const spec = measureSchema('named-statements', { requests: z.number().int().min(3).max(3000) });
type Spec = z.output<typeof spec>;

/** The claim "named statements must be off under transaction pooling" holds when named requests failed and unnamed ones did not. */
export function judgeNamedStatements(trial: StatementsTrial): Measurement {
  const named = trial.results.find((r) => r.statements === 'named');
  const unnamed = trial.results.find((r) => r.statements === 'unnamed');
  if (!named || !unnamed) return { measured: 'The trial did not run both ways.', verdict: 'unsettled', why: 'Run it again.' };
  const version = `PgBouncer ${trial.pgbouncer_version ?? '?'}`;
  const measured = `${version}, transaction mode: with named statements ${fmt(named.failed)} of ${fmt(named.requests)} API requests failed${named.error ? ` (first: ${named.error.split('. ')[0]})` : ''}; unnamed, ${fmt(unnamed.failed)} of ${fmt(unnamed.requests)}.`;
  const newer = trial.tracks_prepared_statements
    ? ` ${version} could track them itself with max_prepared_statements, which this lab leaves unset.`
    : ` ${version} cannot track them at all (that needs 1.21 and max_prepared_statements).`;
  if (unnamed.failed > 0)
    return { measured, verdict: 'unsettled', why: `Unnamed requests failed too, so something else went wrong: ${unnamed.error ?? 'see the lab log'}.` };
  if (named.failed === 0) return { measured, verdict: 'fails', why: `Named statements went through without a failure this time.${newer}` };
  return { measured, verdict: 'holds', why: `Named statements broke ${fmt(named.failed)} requests and unnamed ones none.${newer}` };
}

/** The API's requests with its statements named, then unnamed, through transaction-mode PgBouncers. */
export const namedStatements: MeasureKind<Spec> = {
  kind: 'named-statements',
  spec,
  runs: (s) =>
    `Sends ${fmt(s.requests)} API requests (create, read, delete users) through a PgBouncer per shard in transaction mode, once with the API's statements named and once unnamed (pooling is started if needed and put back, and so is the setting).`,
  measure: (s, ctx) =>
    withTransactionPooling(ctx, 10, async () => {
      const r = await ctx.api.call<StatementsTrial>('POST', '/lab/v1/pooling/statements', { requests: s.requests });
      failUnlessOk(r, 'POST /lab/v1/pooling/statements');
      return judgeNamedStatements(r.body);
    }),
};
