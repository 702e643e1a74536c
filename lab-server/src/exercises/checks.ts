import { z } from 'zod';
import type { Lab } from '../lab/lab.js';
import { errorMessage, isMissingRoute, type SelfClient } from '../http/self-client.js';
import { auditPlacement } from '../placement/audit.js';
import type { AnswerSpec } from './views.js';
import { isUuid } from '../sharding/key.js';
import { movedFraction } from '../sharding/movement.js';
import { createStrategy, defaultShardNames, STRATEGY_NAMES } from '../sharding/strategies.js';

/** What a check or an action may use: the running lab, and its own HTTP API. */
export interface ExerciseContext {
  lab: Lab;
  api: SelfClient;
}

export interface CheckResult {
  passed: boolean;
  /** What the lab measured, in a sentence; on failure it names what is missing and what to do next. */
  message: string;
}

export type Answer = string | number;


const count = z.number().int().min(0);
const percent = z.number().min(0).max(100);

/** A check, as chapter files write it (`check: {kind: shard-count, equals: 6}`). */
export type CheckSpec =
  | { kind: 'users-total'; at_least?: number | undefined; at_most?: number | undefined }
  | { kind: 'shard-count'; equals?: number | undefined; at_least?: number | undefined }
  | { kind: 'shards-up' }
  | { kind: 'misplaced-rows'; equals?: number | undefined; at_least?: number | undefined }
  | { kind: 'smallest-shard'; min_users: number }
  | { kind: 'largest-share'; min_users: number; tolerance_points: number }
  | { kind: 'route'; key: string }
  | { kind: 'user-shard'; first_name: string; last_name: string }
  | { kind: 'moved-fraction'; strategy: 'md5-ring' | 'modulo'; from: number; to: number; tolerance_points: number }
  | { kind: 'loadtest-run'; scenario?: string | undefined }
  | { kind: 'all'; of: CheckSpec[] };

export const CheckSpecSchema: z.ZodType<CheckSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('users-total'), at_least: count.optional(), at_most: count.optional() }),
    z.strictObject({ kind: z.literal('shard-count'), equals: count.optional(), at_least: count.optional() }),
    z.strictObject({ kind: z.literal('shards-up') }),
    z.strictObject({ kind: z.literal('misplaced-rows'), equals: count.optional(), at_least: count.optional() }),
    z.strictObject({ kind: z.literal('smallest-shard'), min_users: count }),
    z.strictObject({ kind: z.literal('largest-share'), min_users: count, tolerance_points: percent.default(0.5) }),
    z.strictObject({ kind: z.literal('route'), key: z.string().refine(isUuid, 'key must be a UUID') }),
    z.strictObject({ kind: z.literal('user-shard'), first_name: z.string().min(1), last_name: z.string().min(1) }),
    z.strictObject({
      kind: z.literal('moved-fraction'),
      strategy: z.enum(STRATEGY_NAMES),
      from: z.number().int().min(1).max(32),
      to: z.number().int().min(1).max(32),
      tolerance_points: percent.default(1),
    }),
    z.strictObject({ kind: z.literal('loadtest-run'), scenario: z.string().optional() }),
    z.strictObject({ kind: z.literal('all'), of: z.array(CheckSpecSchema).min(1) }),
  ]),
);

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (n: number, digits = 2): string => `${n.toFixed(digits)} %`;
const pass = (message: string): CheckResult => ({ passed: true, message });
const fail = (message: string): CheckResult => ({ passed: false, message });

/** The input a check asks the learner for, or null when it only inspects the cluster. */
export function answerSpec(spec: CheckSpec): AnswerSpec | null {
  switch (spec.kind) {
    case 'smallest-shard':
      return { type: 'shard', label: 'Which shard holds the fewest users?' };
    case 'route':
      return { type: 'shard', label: `Which shard owns ${spec.key}?` };
    case 'user-shard':
      return { type: 'shard', label: `On which shard is ${spec.first_name} ${spec.last_name}'s row?` };
    case 'largest-share':
      return { type: 'number', label: 'Largest share of users', unit: '%' };
    case 'moved-fraction':
      return { type: 'number', label: `Share of keys that move, ${spec.from} → ${spec.to} shards (${spec.strategy})`, unit: '%' };
    default:
      return null;
  }
}

/** Runs a check against the live cluster. */
export async function runCheck(ctx: ExerciseContext, spec: CheckSpec, answer: Answer | undefined): Promise<CheckResult> {
  const { lab } = ctx;
  switch (spec.kind) {
    case 'users-total': {
      const stats = await lab.users.stats();
      const down = stats.shards.filter((s) => !s.healthy).map((s) => s.shard_name);
      if (down.length > 0) return fail(`${down.join(', ')} did not answer, so the users cannot be counted. Start it again first.`);
      if (spec.at_least !== undefined && stats.total_users < spec.at_least) {
        return fail(`The shards hold ${fmt(stats.total_users)} users; this step needs at least ${fmt(spec.at_least)}. Seed more (Seed button, or \`seed ${spec.at_least}\` in the terminal).`);
      }
      if (spec.at_most !== undefined && stats.total_users > spec.at_most) {
        return fail(`The shards hold ${fmt(stats.total_users)} users; this step needs at most ${fmt(spec.at_most)}. Reset the chapter to start from empty shards.`);
      }
      return pass(`The shards hold ${fmt(stats.total_users)} users.`);
    }
    case 'shard-count': {
      const n = lab.router.names.length;
      if (spec.equals !== undefined && n !== spec.equals) {
        const what = n < spec.equals ? `Add ${spec.equals - n === 1 ? 'a shard' : `${spec.equals - n} shards`}` : `Remove ${n - spec.equals === 1 ? 'a shard' : `${n - spec.equals} shards`}`;
        return fail(`The ring has ${n} shards; this step needs ${spec.equals}. ${what} first.`);
      }
      if (spec.at_least !== undefined && n < spec.at_least) return fail(`The ring has ${n} shards; this step needs at least ${spec.at_least}.`);
      return pass(`The ring has ${n} shards (${lab.router.names.join(', ')}).`);
    }
    case 'shards-up': {
      const down = lab.cluster.info().filter((s) => s.status !== 'up');
      if (down.length > 0) return fail(`${down.map((s) => `${s.name} is ${s.status}`).join(', ')}. Start ${down.length === 1 ? 'it' : 'them'} again (the topology panel's Start button, or \`shard start <name>\`).`);
      return pass(`All ${lab.cluster.shards.length} shards answer.`);
    }
    case 'misplaced-rows': {
      const report = await auditPlacement(lab.cluster, lab.router, lab.topology().ring.version);
      const unreachable = report.shards.filter((s) => !s.reachable).map((s) => s.shard_name);
      if (unreachable.length > 0) return fail(`${unreachable.join(', ')} did not answer, so its rows cannot be audited. Start it again first.`);
      const where = report.shards.filter((s) => s.misplaced > 0).map((s) => `${s.shard_name}: ${fmt(s.misplaced)}`).join(', ');
      const m = report.total_misplaced;
      if (spec.equals !== undefined && m !== spec.equals) {
        return fail(spec.equals === 0
          ? `${fmt(m)} rows still sit on a shard the ring does not send their key to (${where}). Move them: undo the faithful add and add the shard again with rebalancing.`
          : `${fmt(m)} rows are misplaced; this step expects ${fmt(spec.equals)}.`);
      }
      if (spec.at_least !== undefined && m < spec.at_least) {
        return fail(`${fmt(m)} rows are misplaced; this step expects at least ${fmt(spec.at_least)}. Orphans appear when the ring changes and no data moves: seed users first, then add a shard in faithful mode.`);
      }
      return pass(m === 0 ? `Every one of ${fmt(report.total_rows)} rows lives on the shard the ring sends its key to.` : `${fmt(m)} of ${fmt(report.total_rows)} rows are orphans: the ring sends their keys elsewhere (${where}).`);
    }
    case 'smallest-shard': {
      const stats = await lab.users.stats();
      if (stats.total_users < spec.min_users) {
        return fail(`Only ${fmt(stats.total_users)} users are loaded; a fair comparison needs at least ${fmt(spec.min_users)}. Seed them first.`);
      }
      const counted = stats.shards.filter((s) => s.user_count !== null);
      const fewest = Math.min(...counted.map((s) => s.user_count!));
      const picked = counted.find((s) => s.shard_name === shardAnswer(answer, lab));
      if (!picked) return fail(answer === undefined ? 'Pick a shard first.' : `There is no shard '${answer}'.`);
      const share = (n: number) => pct((100 * n) / stats.total_users);
      if (picked.user_count === fewest) {
        return pass(`Right: ${picked.shard_name} holds ${fmt(fewest)} users (${share(fewest)}), the fewest; its arcs cover ${pct(100 * (ringShare(lab, picked.shard_name) ?? 0))} of the ring.`);
      }
      return fail(`${picked.shard_name} holds ${fmt(picked.user_count!)} users (${share(picked.user_count!)}); another shard holds fewer. Compare the bars in “Users per shard”.`);
    }
    case 'largest-share': {
      const stats = await lab.users.stats();
      if (stats.total_users < spec.min_users) {
        return fail(`Only ${fmt(stats.total_users)} users are loaded; measure with at least ${fmt(spec.min_users)}. Seed them first.`);
      }
      if (typeof answer !== 'number') return fail('Enter a percentage first.');
      const largest = Math.max(...stats.shards.map((s) => s.user_count ?? 0));
      const measured = (100 * largest) / stats.total_users;
      if (Math.abs(answer - measured) <= spec.tolerance_points) {
        return pass(`Right: the largest shard holds ${pct(measured)} of ${fmt(stats.total_users)} users. The original claimed ±5 % around an even split; an even split here would be ${pct(100 / stats.shard_count)}.`);
      }
      return fail(`${pct(answer)} is more than ${spec.tolerance_points} points away from what the shards hold now. Read the largest bar's percentage in “Users per shard”.`);
    }
    case 'route': {
      const owner = lab.router.route(spec.key).shard_name;
      const picked = shardAnswer(answer, lab);
      if (picked === null) return fail(answer === undefined ? 'Pick a shard first.' : `There is no shard '${answer}'.`);
      if (picked === owner) {
        const r = lab.router.route(spec.key);
        return pass(`Right: ${spec.key} hashes to ${fmt(r.hash)} (0x${r.hash.toString(16).padStart(8, '0')}); the first virtual node at or after it is ${r.vnode ?? '—'}, which belongs to ${owner}.`);
      }
      return fail(`Not ${picked}. Type the key into the ring's lookup box and follow it clockwise, or run \`route ${spec.key}\` in the terminal.`);
    }
    case 'user-shard': {
      const found = await findUserByName(ctx, spec.first_name, spec.last_name);
      if (!found) {
        return fail(`There is no user named ${spec.first_name} ${spec.last_name} yet. Create one: the “Create user” form, or \`user create ${spec.first_name} ${spec.last_name}\` in the terminal.`);
      }
      const picked = shardAnswer(answer, lab);
      if (picked === null) return fail(answer === undefined ? 'Pick a shard first.' : `There is no shard '${answer}'.`);
      if (picked === found.shard) return pass(`Right: the row ${found.id} is on ${found.shard}, the shard the ring picks for that id.`);
      return fail(`The newest ${spec.first_name} ${spec.last_name} is not on ${picked}. The API said where it went (the X-Lab-Shard header), or ask the ring: \`route ${found.id}\`.`);
    }
    case 'moved-fraction': {
      if (typeof answer !== 'number') return fail('Enter a percentage first.');
      const truth = 100 * referenceMoved(spec);
      if (Math.abs(answer - truth) <= spec.tolerance_points) {
        return pass(`Right: going from ${spec.from} to ${spec.to} shards with ${spec.strategy} moves ${pct(truth)} of the key space (an ideal scheme would move ${pct((100 * Math.abs(spec.to - spec.from)) / Math.max(spec.to, spec.from))}).`);
      }
      return fail(`${pct(answer)} is off by more than ${spec.tolerance_points} points. In the ring widget set ${spec.from} shards and read what moves when going to ${spec.to} (${spec.strategy === 'modulo' ? 'the modulo line' : 'the ring line'}).`);
    }
    case 'loadtest-run':
      return loadtestRun(ctx, spec.scenario);
    case 'all': {
      const messages: string[] = [];
      for (const part of spec.of) {
        const r = await runCheck(ctx, part, answer);
        if (!r.passed) return r;
        messages.push(r.message);
      }
      return pass(messages.join(' '));
    }
  }
}

/** The right answer, measured now: what "Solve it for me" submits for exercises that ask a question. */
export async function referenceAnswer(ctx: ExerciseContext, spec: CheckSpec): Promise<Answer | null> {
  const { lab } = ctx;
  switch (spec.kind) {
    case 'smallest-shard': {
      const stats = await lab.users.stats();
      const counted = stats.shards.filter((s) => s.user_count !== null);
      return counted.reduce((a, b) => (b.user_count! < a.user_count! ? b : a)).shard_name;
    }
    case 'largest-share': {
      const stats = await lab.users.stats();
      return Number(((100 * Math.max(...stats.shards.map((s) => s.user_count ?? 0))) / Math.max(1, stats.total_users)).toFixed(2));
    }
    case 'route':
      return lab.router.route(spec.key).shard_name;
    case 'user-shard':
      return (await findUserByName(ctx, spec.first_name, spec.last_name))?.shard ?? null;
    case 'moved-fraction':
      return Number((100 * referenceMoved(spec)).toFixed(2));
    default:
      return null;
  }
}

/** The APIs a check calls that may not exist in this build. */
export function checkRequires(spec: CheckSpec): string[] {
  if (spec.kind === 'loadtest-run') return ['GET /lab/v1/loadtests'];
  if (spec.kind === 'all') return spec.of.flatMap(checkRequires);
  return [];
}

function referenceMoved(spec: Extract<CheckSpec, { kind: 'moved-fraction' }>): number {
  const before = defaultShardNames(spec.from);
  const after = defaultShardNames(spec.to);
  return movedFraction(createStrategy(spec.strategy, before), createStrategy(spec.strategy, after), before, after);
}

function ringShare(lab: Lab, name: string): number | undefined {
  return lab.router.strategy.shares()[lab.router.names.indexOf(name)];
}

/** Accepts `shard-3`, `3` or ` Shard-3 `; null when no such shard. */
function shardAnswer(answer: Answer | undefined, lab: Lab): string | null {
  if (answer === undefined) return null;
  const raw = String(answer).trim().toLowerCase();
  const name = /^\d+$/.test(raw) ? `shard-${raw}` : raw;
  return lab.cluster.shards.some((s) => s.name === name) ? name : null;
}

/** The newest user with this name, and the shard its row physically sits on. */
async function findUserByName(ctx: ExerciseContext, first: string, last: string): Promise<{ id: string; shard: string } | null> {
  const rows = await Promise.all(
    ctx.lab.cluster.shards.map((s) =>
      ctx.lab.cluster.onShard(s.id, async (pool) => {
        const { rows } = await pool.query<{ id: string; created_at: string }>(
          'SELECT id, created_at FROM users WHERE first_name = $1 AND last_name = $2 ORDER BY created_at DESC LIMIT 1',
          [first, last],
        );
        return rows[0] ? { ...rows[0], shard: s.name } : null;
      }),
    ),
  );
  const found = rows.filter((r) => r !== null).sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
  return found ? { id: found.id, shard: found.shard } : null;
}

interface LoadTestRunView {
  id?: string;
  state?: string;
  scenario?: string;
  params?: { scenario?: string };
  summary?: { requests_per_s?: number; latency_ms?: { p95?: number }; errors?: number };
}

async function loadtestRun(ctx: ExerciseContext, scenario: string | undefined): Promise<CheckResult> {
  const reply = await ctx.api.call<unknown>('GET', '/lab/v1/loadtests');
  if (isMissingRoute(reply)) return fail('Load tests are not available in this build (no GET /lab/v1/loadtests).');
  if (reply.status !== 200) return fail(`Could not read the load-test history: ${errorMessage(reply)}`);
  const body = reply.body as LoadTestRunView[] | { runs?: LoadTestRunView[]; loadtests?: LoadTestRunView[] };
  const runs = Array.isArray(body) ? body : (body.runs ?? body.loadtests ?? []);
  const wanted = runs.filter((r) => scenario === undefined || (r.params?.scenario ?? r.scenario) === scenario);
  const done = wanted.find((r) => r.state === 'finished');
  const what = scenario ? `a ${scenario} load test` : 'a load test';
  if (!done) {
    const running = wanted.find((r) => r.state === 'running' || r.state === 'preparing');
    return fail(running ? `${what[0]!.toUpperCase()}${what.slice(1)} is still running; check again when it has finished.` : `No finished run of ${what} yet. Start one from the load-test panel.`);
  }
  const s = done.summary;
  const numbers = s ? ` ${fmt(Math.round(s.requests_per_s ?? 0))} req/s, p95 ${s.latency_ms?.p95 ?? '?'} ms, ${fmt(s.errors ?? 0)} errors.` : '';
  return pass(`Measured here:${numbers || ' the run finished.'}`);
}
