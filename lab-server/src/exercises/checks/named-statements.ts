import { z } from 'zod';
import type { StatementsTrial } from '../../pooling/statements-trial.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { poolingView } from './pooling-view.js';

const spec = z.strictObject({
  kind: z.literal('named-statements'),
  /** Also require the API's statements to be unnamed now: the fix applied, not only measured. */
  fixed: z.boolean().default(false),
});
type NamedStatementsSpec = z.output<typeof spec>;

const RUN_ONE = 'With transaction pooling on, press “Run the API’s statements” in the pooling panel, or run `pooling statements` in the terminal.';

/** The last statements trial, in transaction mode: named statements failed, unnamed ones did not; with `fixed`, the setting is off. */
export function judgeNamedStatements(s: NamedStatementsSpec, mode: string, trial: StatementsTrial | null, prepared: boolean): CheckResult {
  if (mode !== 'transaction')
    return fail(`Pooling is ${mode === 'off' ? 'off' : `in ${mode} mode`}; this step needs transaction mode (\`pooling mode transaction\`).`);
  if (!trial) return fail(`No statements trial in transaction mode yet. ${RUN_ONE}`);
  const named = trial.results.find((r) => r.statements === 'named');
  const unnamed = trial.results.find((r) => r.statements === 'unnamed');
  if (!named || !unnamed) return fail(`The last trial did not run both ways. ${RUN_ONE}`);
  const seen = `Named: ${fmt(named.failed)} of ${fmt(named.requests)} requests failed; unnamed: ${fmt(unnamed.failed)} of ${fmt(unnamed.requests)}.`;
  if (named.failed === 0) return fail(`${seen} No named statement went missing this time: run the trial again with more requests.`);
  if (unnamed.failed > 0) return fail(`${seen} Unnamed requests failed too (${unnamed.error ?? 'see the lab log'}): check the shards, then run it again.`);
  if (s.fixed && prepared)
    return fail(
      `${seen} The API still names its statements: turn prepared statements off (\`PUT /lab/v1/settings {"prepared_statements": false}\`, or the tuning knob).`,
    );
  return pass(s.fixed ? `${seen} The API now sends them unnamed.` : seen);
}

/** The API's named statements broke under transaction pooling and unnamed ones did not (and, with `fixed`, the API now sends them unnamed). */
export const namedStatements: CheckKind<NamedStatementsSpec> = {
  kind: 'named-statements',
  spec,
  async run(s, ctx) {
    const view = await poolingView(ctx);
    if (typeof view === 'string') return fail(view);
    const settings = await ctx.api.call<{ prepared_statements: boolean }>('GET', '/lab/v1/settings');
    if (settings.status !== 200) return fail('Could not read GET /lab/v1/settings.');
    return judgeNamedStatements(s, view.mode, view.last_statements, settings.body.prepared_statements);
  },
};
