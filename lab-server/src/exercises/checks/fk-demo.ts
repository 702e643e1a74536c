import { z } from 'zod';
import { FK_ACTIONS, FK_SCENARIOS } from '../../contracts/references.js';
import { listAttempts, type FkAttempt } from '../../references/fk-demo.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';

const spec = z.strictObject({
  kind: z.literal('fk-demo'),
  scenario: z.enum(FK_SCENARIOS),
  /** Every one of these actions must have a run; without it, any run of the scenario counts. */
  on_delete: z.array(z.enum(FK_ACTIONS)).min(1).optional(),
  outcome: z.enum(['refused', 'done']).optional(),
});
type FkDemoSpec = z.output<typeof spec>;

const BUTTON: Record<FkDemoSpec['scenario'], string> = {
  'orphan-message': 'Insert an orphan message',
  'delete-conversation': 'Delete the conversation',
  'delete-and-restore': 'Delete and restore (deferred)',
  'cross-shard': 'Reference a user on another shard',
};

/** The verdict on the recorded demonstrations (`fk_demo.attempts` on every shard). */
export function judgeFkDemo(s: FkDemoSpec, attempts: readonly Pick<FkAttempt, 'scenario' | 'on_delete' | 'outcome' | 'sqlstate' | 'shard'>[]): CheckResult {
  const runs = attempts.filter((a) => a.scenario === s.scenario && (s.outcome === undefined || a.outcome === s.outcome));
  const how = `press “${BUTTON[s.scenario]}” in the foreign-keys panel, or run \`fk demo ${s.scenario}${s.on_delete ? ' <action>' : ''}\` in the terminal`;
  const wanted = s.on_delete ?? [];
  const missing = wanted.filter((a) => !runs.some((r) => r.on_delete === a));
  if (runs.length === 0 || missing.length > 0) {
    const which = missing.length > 0 ? ` under ${missing.map((a) => a.toUpperCase().replace('-', ' ')).join(', ')}` : '';
    const seen = attempts.filter((a) => a.scenario === s.scenario);
    const other = seen.length > 0 && s.outcome ? ` (runs so far ended ${[...new Set(seen.map((a) => a.outcome))].join(' and ')}, not ${s.outcome})` : '';
    return fail(
      `No ${s.scenario} run${s.outcome ? ` that the database ${s.outcome === 'refused' ? 'refused' : 'let through'}` : ''}${which} yet${other}: ${how}.`,
    );
  }
  const last = runs[runs.length - 1]!;
  const said = last.sqlstate ? `PostgreSQL answered SQLSTATE ${last.sqlstate}` : 'PostgreSQL let it through';
  return pass(`${runs.length} ${s.scenario} run${runs.length === 1 ? '' : 's'} recorded on ${last.shard}; the last: ${said}.`);
}

/** A demonstration of the Foreign-keys chapter ran (under those actions, with that outcome). */
export const fkDemo: CheckKind<FkDemoSpec> = {
  kind: 'fk-demo',
  spec,
  async run(s, ctx) {
    return judgeFkDemo(s, await listAttempts(ctx.lab.cluster));
  },
};
