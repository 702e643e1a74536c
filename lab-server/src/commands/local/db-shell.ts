import readline from 'node:readline';
import pg from 'pg';
import { z } from 'zod';
import { positionals, wholeNumber } from '../args.js';
import { CommandError, defineCommand } from '../command.js';
import { formatTable } from '../format.js';
import { describeTableSql, LIST_TABLES_SQL } from '../psql-meta.js';
import { withCluster } from './with-cluster.js';

const HELP = `Type SQL ending with ';' to run it on this shard. Commands:
  \\dt         list tables        \\d NAME     describe a table
  \\timing     toggle timing      \\?          this help       \\q   quit`;

const META: Record<string, string> = { '\\dt': LIST_TABLES_SQL };

/**
 * `lab db-shell N` (`make db-shell SHARD=N`): an SQL prompt on one shard that needs no system psql.
 * Reads statements up to ';', so it also runs a script piped into it. CLI-only: it owns the process's stdin
 * and stdout, and talks to the shard directly (it works with no lab running).
 */
export default defineCommand({
  name: 'db-shell',
  usage: 'db-shell [N]',
  summary: 'SQL prompt on shard N (make db-shell SHARD=N); \\dt, \\d table, \\timing, \\q',
  frontEnds: ['cli'],
  args: z.object({ _: positionals([wholeNumber('N').optional()]) }).transform(({ _: [n] }) => ({ n: n ?? 0 })),
  run: async ({ n }) => {
    await shell(n);
    return { data: null, text: '' };
  },
});

async function shell(n: number): Promise<void> {
  await withCluster(async (cluster) => {
    const shard = cluster.shards[n];
    if (!shard) throw new CommandError(`No shard ${n}; choose 0..${cluster.shards.length - 1}.`);
    const client = new pg.Client({ connectionString: shard.url, application_name: 'shard-lab-db-shell' });
    await client.connect();
    const interactive = process.stdin.isTTY === true;
    if (interactive) console.log(`Connected to ${shard.name} (${shard.url}). \\? for help, \\q to quit.`);
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: `${shard.name}=> ` });
    let buffer = '';
    let timing = false;
    const run = async (sql: string) => {
      const t0 = performance.now();
      try {
        const results = await client.query({ text: sql, rowMode: 'array' });
        for (const r of ([] as pg.QueryArrayResult[]).concat(results as pg.QueryArrayResult | pg.QueryArrayResult[])) {
          if (r.fields.length > 0) {
            console.log(
              formatTable(
                r.fields.map((f) => f.name),
                r.rows,
              ),
            );
            console.log(`(${r.rowCount ?? r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
          } else console.log(`${r.command}${r.rowCount !== null ? ` ${r.rowCount}` : ''}`);
        }
      } catch (err) {
        console.log(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (timing) console.log(`Time: ${(performance.now() - t0).toFixed(3)} ms`);
    };
    if (interactive) rl.prompt();
    for await (const line of rl) {
      const trimmed = line.trim();
      if (!buffer && trimmed.startsWith('\\')) {
        const [cmd, arg] = trimmed.split(/\s+/);
        if (cmd === '\\q') break;
        else if (cmd === '\\?') console.log(HELP);
        else if (cmd === '\\timing') console.log(`Timing is ${(timing = !timing) ? 'on' : 'off'}.`);
        else if (cmd === '\\d' && arg) {
          await run(describeTableSql(client.escapeLiteral(arg)));
        } else if (cmd && META[cmd]) await run(META[cmd]);
        else console.log(`Unknown command ${cmd}; \\? lists them.`);
      } else if (trimmed) {
        buffer += `${line}\n`;
        if (trimmed.endsWith(';')) {
          await run(buffer);
          buffer = '';
        }
      }
      if (interactive) {
        rl.setPrompt(buffer ? `${shard.name}-> ` : `${shard.name}=> `);
        rl.prompt();
      }
    }
    if (buffer.trim()) await run(buffer);
    rl.close();
    await client.end();
  });
}
