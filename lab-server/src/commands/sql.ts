import { z } from 'zod';
import { errorText } from './api.js';
import { CommandError, defineCommand, type CommandContext, type Style } from './command.js';
import { formatTable, num } from './format.js';
import { SqlRun } from './replies.js';

const ErrorBody = z.object({ error: z.object({ message: z.string() }) });

/**
 * One statement through `POST /lab/v1/sql` (the SQL viewer's route): on the lab's own shards, under the
 * console's statement timeout. The shard's own error message is the answer a learner needs, so it is shown alone.
 */
export async function runStatement(ctx: CommandContext, shard: string, sql: string, explain: 'plan' | 'analyze' | null): Promise<SqlRun> {
  const reply = await ctx.lab.call('POST', '/lab/v1/sql', { shard, sql, explain });
  if (reply.status >= 400) {
    const e = ErrorBody.safeParse(reply.body);
    throw new CommandError(e.success ? e.data.error.message : errorText('POST', '/lab/v1/sql', reply));
  }
  const run = SqlRun.safeParse(reply.body);
  if (!run.success) throw new CommandError('POST /lab/v1/sql answered in an unexpected shape; is the lab the same version?');
  return run.data;
}

/** Result sets as psql prints them; the terminal's SQL mode prints its statements with this too. */
export function sqlText(run: SqlRun, style: Style): string {
  const parts = run.results.map((r) =>
    r.fields.length > 0
      ? `${formatTable(r.fields, r.rows)}\n${style.dim(`(${num(r.row_count)} row${r.row_count === 1 ? '' : 's'}${r.truncated ? `, first ${r.rows.length} shown` : ''})`)}`
      : `${r.command}${r.row_count ? ` ${r.row_count}` : ''}`,
  );
  return [...parts, style.dim(`${run.shard}, ${run.duration_ms.toFixed(1)} ms`)].join('\n');
}

export default defineCommand({
  name: 'sql',
  usage: 'sql SHARD [STATEMENT]',
  summary: 'SQL on one shard; in the terminal, without a statement, stay in SQL mode (\\q leaves)',
  parseFlags: false,
  args: z.object({ _: z.array(z.string()), tail: z.string() }).transform(({ _: [shard], tail }, zctx) => {
    if (!shard) {
      zctx.addIssue({ code: 'custom', message: 'SHARD is required' });
      return z.NEVER;
    }
    return { shard, statement: tail.slice(shard.length).trim() };
  }),
  complete: (index, _before, source) => (index === 0 ? source.shards() : []),
  async run({ shard, statement }, ctx) {
    if (statement) {
      const run = await runStatement(ctx, shard, statement, null);
      return { data: run, text: sqlText(run, ctx.style) };
    }
    if (!ctx.sqlMode) throw new CommandError(`SQL mode is the browser terminal's; here give a statement, or use '${ctx.invocation}db-shell N' for a prompt.`);
    const name = await ctx.sqlMode.enter(shard);
    return {
      data: { shard: name },
      text: `Connected to ${ctx.style.bold(name)}. End statements with ';'. ${ctx.style.dim('\\? help, \\q back to the lab prompt.')}`,
    };
  },
});
