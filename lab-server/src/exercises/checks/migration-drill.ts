import { z } from 'zod';
import { DDL_CHANGES, type DrillMode, type DrillStatus } from '../../migration-drill/index.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const mode = z.enum(['advisory', 'faithful']);
const spec = z.strictObject({
  kind: z.literal('migration-drill'),
  /** Every shard has every drill migration applied, and no fault is left. */
  at_latest: z.literal(true).optional(),
  /** At least one drill migration is pending on every shard (something left to run, or to kill a run in). */
  pending: z.literal(true).optional(),
  /** The shards disagree: one stopped at a failed migration while another went further. */
  split: z.literal(true).optional(),
  /** The newest run succeeded and ran only on the shards that failed in the run before it. */
  resumed: z.literal(true).optional(),
  /** The original's lock row on every shard. */
  lock_row: z.enum(['locked', 'unlocked']).optional(),
  /** The last crash drill killed a run of this runner (and, for advisory, left no lock behind). */
  crashed: mode.optional(),
  /** The newest run used this runner and succeeded on every shard. */
  last_run: mode.optional(),
  /** Both lock-queue drills ran: readers seen queued behind the plain ALTER; the lock_timeout ALTER gave up and retried. */
  lock_queue: z.literal(true).optional(),
  /** All four schema-change drills ran: the plain index build held a lock that blocks writes, the concurrent one did not; only the volatile default rewrote. */
  ddl: z.literal(true).optional(),
  /** The newest notes API requests: `split`, they failed on exactly the shards behind; `ok`, none failed anywhere. */
  requests: z.enum(['split', 'ok']).optional(),
  /** Both rename drills ran: the one-step rename failed requests, expand and contract failed none. */
  rename: z.literal(true).optional(),
});
type DrillSpec = z.output<typeof spec>;

const runnerName = (m: DrillMode) => (m === 'advisory' ? "the lab's runner (advisory lock)" : "the original's runner (lock row)");
const list = (xs: string[]) => xs.join(', ');

/** The verdict on the drill's state; apart from reading it, so it is tested without a cluster. */
export function judgeMigrationDrill(s: DrillSpec, st: DrillStatus): CheckResult {
  const said: string[] = [];
  const down = st.shards.filter((x) => x.error !== null);
  if (down.length > 0) return fail(`${list(down.map((x) => x.shard))} did not answer (${down[0]!.error}). Start it again first.`);
  const total = st.migrations.length;
  const behind = st.shards.filter((x) => x.applied < total);
  const lagging = st.shards.filter((x) => x.cells.some((c) => c.state === 'failed'));
  const [last, previous] = st.runs;

  if (s.at_latest) {
    if (behind.length > 0) {
      return fail(
        `${list(behind.map((x) => `${x.shard} has ${x.applied} of ${total}`))} drill migrations applied. Run latest on every shard (Migration drill panel, or \`migrate drill run latest\`).`,
      );
    }
    const faulted = st.shards.filter((x) => x.faults.length > 0);
    if (faulted.length > 0)
      return fail(`Every shard is at the latest drill migration, but a fault is still injected on ${list(faulted.map((x) => x.shard))}: clear it.`);
    said.push(`Every shard has all ${total} drill migrations applied.`);
  }
  if (s.pending) {
    const full = st.shards.filter((x) => x.applied === total);
    if (full.length > 0) return fail(`${list(full.map((x) => x.shard))} has every drill migration applied: roll one back (down) first.`);
    said.push('Every shard has a drill migration pending.');
  }
  if (s.split) {
    if (lagging.length === 0) {
      return fail('No shard stopped at a failed migration. Inject a fault into one migration on one shard, then run latest.');
    }
    const ahead = Math.max(...st.shards.map((x) => x.applied));
    const lag = lagging.filter((x) => x.applied < ahead);
    if (lag.length === 0) return fail(`${list(lagging.map((x) => x.shard))} failed, but so did every shard at the same place: fail one shard only.`);
    said.push(`${list(lag.map((x) => `${x.shard} stopped at ${x.applied}`))} while other shards reached ${ahead}.`);
  }
  if (s.resumed) {
    if (!last || last.crash || !last.ok) return fail('The newest drill run did not succeed on every shard. Clear the faults and run latest again.');
    const failedBefore = new Set(previous && !previous.ok ? previous.shards.filter((x) => x.failed !== null).map((x) => x.shard) : []);
    if (failedBefore.size === 0) return fail('The run before the newest one did not fail anywhere: there was nothing to resume. Make one shard fail first.');
    const extra = last.shards.filter((x) => !failedBefore.has(x.shard) && x.ran.length > 0).map((x) => x.shard);
    if (extra.length > 0) return fail(`The newest run also applied migrations on ${list(extra)}, which had not failed: resume from the split state.`);
    const resumedOn = last.shards.filter((x) => x.ran.length > 0);
    if (resumedOn.length === 0) return fail('The newest run applied nothing. Clear the fault first, then run latest.');
    said.push(
      `The resumed run applied ${list(resumedOn.map((x) => `${x.ran.map((r) => r.migration).join(' and ')} on ${x.shard}`))}; the other shards ran nothing.`,
    );
  }
  if (s.lock_row) {
    const want = s.lock_row === 'locked';
    const wrong = st.shards.filter((x) => x.lock.row_locked !== want).map((x) => x.shard);
    if (wrong.length > 0) {
      return fail(
        want
          ? `The original's lock row is not set on ${list(wrong)}. Kill a run of the original's runner half-way (Crash — original's lock).`
          : `The original's lock row is still set on ${list(wrong)}. Free it the way its docs say: UPDATE lab_drill.migration_lock SET locked = false WHERE id = 1 (SQL console, or the Unlock button).`,
      );
    }
    said.push(`The original's lock row is ${s.lock_row} on every shard.`);
  }
  if (s.crashed) {
    const c = st.last_crash;
    if (!c || c.mode !== s.crashed || c.killed.length === 0)
      return fail(`No run of ${runnerName(s.crashed)} has been killed yet. Roll one migration back, then crash a run.`);
    if (s.crashed === 'advisory') {
      const held = c.after.filter((a) => a.lock.advisory_pid !== null).map((a) => a.shard);
      if (held.length > 0) return fail(`After the kill the advisory lock was still held on ${list(held)}.`);
    }
    said.push(`A run of ${runnerName(s.crashed)} was killed inside ${c.killed[0]?.migration ?? 'its migration'} on ${c.killed.length} shard(s).`);
  }
  if (s.last_run) {
    if (!last || last.mode !== s.last_run || last.crash || !last.ok) {
      return fail(`The newest drill run was not a successful run of ${runnerName(s.last_run)}. Run latest with it.`);
    }
    if (s.crashed && st.last_crash && Date.parse(last.started_at) < Date.parse(st.last_crash.run.started_at)) {
      return fail('The newest successful run happened before the crash: run latest again after it.');
    }
    said.push(`The newest run (${runnerName(s.last_run)}) succeeded on every shard.`);
  }
  if (s.lock_queue) {
    const { plain, lock_timeout: polite } = st.lock_queues;
    if (!plain) return fail('Run the lock-queue drill with a plain ALTER first (Lock queue — plain ALTER).');
    const reader = plain.lock_view.find((v) => v.role === 'reader');
    const alter = plain.lock_view.find((v) => v.role === 'migration');
    if (!reader || !alter || !reader.waiting_for.includes(alter.pid)) {
      return fail('In the plain drill the reader was not seen waiting for the ALTER. Run it again with a longer hold.');
    }
    if (!polite) return fail('Now run it with lock_timeout (Lock queue — lock_timeout + retry) and compare.');
    if (polite.alter.timeouts === 0) return fail('The lock_timeout ALTER never gave up: run it again while the long transaction holds the table.');
    const ms = (n: number) => `${fmt(Math.round(n))} ms`;
    said.push(
      `Plain ALTER: the reader waited for the ALTER (pid ${alter.pid}), ${fmt(plain.reads.stalled)} read(s) stalled, the longest ${ms(plain.reads.max_ms)}. ` +
        `With lock_timeout ${fmt(polite.lock_timeout_ms ?? 0)} ms: ${fmt(polite.alter.timeouts)} give-up(s) and a retry, ${fmt(polite.reads.stalled)} stalled read(s), the longest ${ms(polite.reads.max_ms)}.`,
    );
  }
  if (s.ddl) {
    const d = st.ddl;
    const missing = DDL_CHANGES.filter((c) => d[c] === null);
    if (missing.length > 0) return fail(`Run the schema-change drill for ${list(missing)} too (Schema changes panel, or \`migrate drill ddl CHANGE SHARD\`).`);
    const [plain, concurrent, constant, rewrite] = DDL_CHANGES.map((c) => d[c]!);
    if (plain!.lock_blocks_writes !== true) return fail('The plain CREATE INDEX was not seen holding a lock that blocks writes: run it again.');
    if (concurrent!.lock_blocks_writes === true) return fail(`CREATE INDEX CONCURRENTLY was seen holding ${concurrent!.lock_mode}: run it again.`);
    if (constant!.rewrote) return fail('The constant default rewrote the table: this PostgreSQL is older than 11.');
    if (!rewrite!.rewrote) return fail('The volatile default did not rewrite the table: run it again.');
    const ms = (n: number) => `${fmt(Math.round(n))} ms`;
    said.push(
      `Writes waited up to ${ms(plain!.writes.longest_ms)} behind CREATE INDEX (${plain!.lock_mode}) and ${ms(concurrent!.writes.longest_ms)} beside CREATE INDEX CONCURRENTLY; ` +
        `up to ${ms(constant!.writes.longest_ms)} for the constant default (no rewrite) and ${ms(rewrite!.writes.longest_ms)} for the volatile one, which rewrote ${fmt(rewrite!.rows)} rows.`,
    );
  }
  if (s.requests) {
    const r = st.requests;
    if (!r) return fail("Send the new version's requests first (“Send the app's requests”, or `migrate drill requests`).");
    const ahead = Math.max(...st.shards.map((x) => x.applied));
    const lagging = st.shards.filter((x) => x.applied < ahead).map((x) => x.shard);
    if (s.requests === 'split') {
      if (lagging.length === 0) return fail('Every shard is at the same drill version: make one fail first, then send the requests.');
      const wrong = [...r.failed_shards.filter((x) => !lagging.includes(x)), ...lagging.filter((x) => !r.failed_shards.includes(x))];
      if (wrong.length > 0)
        return fail(
          `The newest requests failed on ${list(r.failed_shards) || 'no shard'}, but ${list(lagging)} is behind: send them again now the cluster is split.`,
        );
      said.push(`The app's requests failed on ${list(r.failed_shards)} only: ${r.requests.find((x) => !x.ok)?.error ?? ''}`);
    } else {
      if (r.failed_shards.length > 0)
        return fail(`The newest requests still failed on ${list(r.failed_shards)}: bring it to the latest drill migration and send them again.`);
      said.push(`All ${fmt(r.requests.length)} of the app's requests succeeded, on every shard.`);
    }
  }
  if (s.rename) {
    const one = st.renames['one-step'];
    const ec = st.renames['expand-contract'];
    if (!one) return fail('Rename the column in one step first (Rename — one step), and count the failed requests.');
    if (one.failed === 0) return fail('The one-step rename failed no request: run it again (it needs the app to be busy while it runs).');
    if (!ec) return fail('Now rename it by expand and contract (Rename — expand/contract).');
    if (ec.failed > 0)
      return fail(`Expand and contract failed ${fmt(ec.failed)} request(s): ${ec.steps.find((x) => x.failed > 0)?.errors[0] ?? ''}. Run it again.`);
    said.push(
      `In one step: ${fmt(one.failed)} of ${fmt(one.requests)} requests failed. By expand and contract: ${fmt(ec.requests)} requests over ${ec.steps.length} steps, 0 failed.`,
    );
  }
  return pass(said.join(' ') || 'The drill is in that state.');
}

/** The drill (schema `lab_drill` on every shard) is in the state the exercise asks for. */
export const migrationDrill: CheckKind<DrillSpec> = {
  kind: 'migration-drill',
  spec,
  async run(s, ctx) {
    return judgeMigrationDrill(s, await ctx.lab.migrationDrill.status());
  },
};
