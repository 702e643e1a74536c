import type { CommandContext, CommandResult } from './command.js';
import { followJob } from './follow-job.js';
import { ReshardResult } from './replies.js';
import { shardsView } from './shards.js';

/** `--pause-before copy,verify`: the steps a job holds before, for a learner to look around (`jobs continue ID`). */
export const pauseBefore = (list: string | undefined) =>
  list
    ? {
        pause_before: list
          .split(',')
          .map((step) => step.trim())
          .filter(Boolean),
      }
    : {};

/** Follows an add or remove job, then prints what it did, the pauses it caused, and the shards after it. */
export async function followReshard(ctx: CommandContext, jobId: string, title: string): Promise<CommandResult> {
  const job = await followJob(ctx, jobId, title);
  const notes = (job.notes ?? []).map((n) => `  [${n.phase ?? '-'}] ${n.message}`);
  const r = ReshardResult.safeParse(job.result ?? {});
  const result = r.success ? r.data : {};
  const said: string[] = [];
  if (result.pause_ms !== undefined) {
    said.push(
      `writes to the moving ranges paused ${String(result.verify_pause_ms)} ms to take the verify snapshots and ${result.pause_ms} ms at cutover; ring version ${String(result.ring_version)}`,
    );
  }
  if (result.orphaned_rows !== undefined)
    said.push(`${result.orphaned_rows} rows are now orphaned: the new ring looks for them on another shard (GET by id answers 404).`);
  const view = await shardsView(ctx);
  return { data: { job, shards: view.data }, text: [...notes, ...said.map((s) => `\n${s}`), '', view.text].join('\n') };
}
