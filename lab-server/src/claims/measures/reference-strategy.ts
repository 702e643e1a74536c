import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StepFailed } from '../../exercises/action-kind.js';
import { failUnlessOk } from '../../exercises/actions/lab-api.js';
import type { ExerciseContext } from '../../exercises/context.js';
import type { ConversationMap } from '../../references/conversation-map.js';
import type { FkDemoResult } from '../../references/fk-demo.js';
import type { OutboxView } from '../../references/outbox-view.js';
import type { RaceResult } from '../../references/race.js';
import type { SampleConversation } from '../../references/sample.js';
import type { Measurement, MeasureKind } from '../measure-kind.js';
import { measureSchema } from './spec.js';

/**
 * The original's summary of the four strategies names, for each, who enforces a reference and how consistent
 * it is. This measures that on the cluster: break the reference the strategy's way and see whether it was
 * refused (strong), left dangling for a while and then repaired (eventual), or left dangling.
 */
const STRATEGIES = ['co-location', 'application', 'events'] as const;
type Strategy = (typeof STRATEGIES)[number];

const spec = measureSchema('reference-strategy', {
  strategy: z.enum(STRATEGIES),
  claimed_consistency: z.enum(['strong', 'eventual']),
  /** application only: rounds and window of the naive check-then-write race. */
  rounds: z.number().int().min(1).max(50).default(10),
  window_ms: z.number().int().min(0).max(2000).default(200),
});
type Spec = z.output<typeof spec>;

/** What breaking a reference the strategy's way left behind. */
export type Observed =
  | { strategy: 'co-location'; refused: boolean; sqlstate: string | null; constraint: string | null; shard: string }
  | { strategy: 'application'; naive: Pick<RaceResult, 'rounds' | 'window_ms' | 'orphans'>; correct: Pick<RaceResult, 'rounds' | 'orphans'> }
  | { strategy: 'events'; lag_ms: number; attempts: number; dangling_after: number; member_shard: string };

export function judgeReferenceStrategy(s: Spec, o: Observed): Measurement {
  const claimed = `Claimed: ${s.claimed_consistency} consistency.`;
  if (o.strategy === 'co-location') {
    const measured = o.refused
      ? `An insert naming a missing parent on ${o.shard} was refused by PostgreSQL (SQLSTATE ${o.sqlstate}, ${o.constraint ?? 'no constraint named'}): no orphan was ever written.`
      : `An insert naming a missing parent on ${o.shard} went through: the foreign key did not stop it.`;
    const strong = o.refused;
    const holds = s.claimed_consistency === 'strong' ? strong : !strong;
    return {
      measured,
      verdict: holds ? 'holds' : 'fails',
      why: `${claimed} The database checks the reference inside the writing transaction${strong ? '' : ', yet it let this one through'}.`,
    };
  }
  if (o.strategy === 'application') {
    const measured = `Check-then-write against a concurrent delete, ${o.naive.rounds} rounds: the naive check (${o.naive.window_ms} ms window) left ${o.naive.orphans} orphan(s); the messenger's locked path left ${o.correct.orphans} in ${o.correct.rounds}.`;
    if (s.claimed_consistency === 'eventual') {
      if (o.naive.orphans === 0) return { measured, verdict: 'unsettled', why: `${claimed} This run's deletes all missed the window; widen it or add rounds.` };
      return {
        measured,
        verdict: 'holds',
        why: `${claimed} A check in the application does not hold the row it checked: the write can land after the delete and dangle until something repairs it.`,
      };
    }
    const strong = o.naive.orphans === 0 && o.correct.orphans === 0;
    return {
      measured,
      verdict: strong ? 'holds' : 'fails',
      why: `${claimed} ${strong ? 'No run left an orphan.' : 'A run left orphans, so the check alone is not strong.'}`,
    };
  }
  const measured = `A deleted member's row on ${o.member_shard} went ${o.lag_ms} ms after the user (the user.deleted event, ${o.attempts} attempt(s)); afterwards ${o.dangling_after} member row(s) of the conversation dangled.`;
  if (o.dangling_after > 0)
    return { measured, verdict: 'fails', why: `${claimed} The event was delivered and references still dangle: not even eventually consistent.` };
  const holds = s.claimed_consistency === 'eventual';
  return {
    measured,
    verdict: holds ? 'holds' : 'fails',
    why: `${claimed} The user row and the references to it went in separate transactions ${o.lag_ms} ms apart: consistent again afterwards, not at every moment.`,
  };
}

async function call<T>(ctx: ExerciseContext, method: string, path: string, body?: unknown): Promise<T> {
  const reply = await ctx.api.call<T>(method, path, body);
  failUnlessOk(reply, `${method} ${path}`);
  return reply.body;
}

const DELIVERY_LIMIT_MS = 30_000;

async function observeEvents(ctx: ExerciseContext): Promise<Observed> {
  const sample = await call<SampleConversation>(ctx, 'POST', '/lab/v1/references/sample-conversation', { title: 'Claim: event-driven cleanup', shards: 2 });
  const member = sample.members.find((m) => m.shard !== sample.conversation_shard) ?? sample.members[0]!;
  await call(ctx, 'DELETE', `/api/v1/users/${member.user_id}`);
  const deadline = Date.now() + DELIVERY_LIMIT_MS;
  for (;;) {
    const view = await call<OutboxView>(ctx, 'GET', '/lab/v1/references/outbox');
    const event = view.events.find((e) => e.topic === 'user.deleted' && e.subject === member.user_id && e.state === 'delivered');
    if (event) {
      const map = await call<ConversationMap>(ctx, 'GET', `/lab/v1/references/conversations/${sample.conversation_id}`);
      return {
        strategy: 'events',
        lag_ms: event.age_ms,
        attempts: event.attempts,
        dangling_after: map.members.filter((m) => !m.user_exists).length,
        member_shard: sample.conversation_shard,
      };
    }
    if (Date.now() > deadline) throw new StepFailed(`The user.deleted event was not delivered within ${DELIVERY_LIMIT_MS / 1000} s; is a shard down?`);
    await sleep(50);
  }
}

async function observe(s: Spec, ctx: ExerciseContext): Promise<Observed> {
  if (s.strategy === 'co-location') {
    const r = await call<FkDemoResult>(ctx, 'POST', '/lab/v1/references/fk-demo', { scenario: 'orphan-message' });
    return {
      strategy: 'co-location',
      refused: r.outcome === 'refused',
      sqlstate: r.error?.sqlstate ?? null,
      constraint: r.error?.constraint ?? null,
      shard: r.shard,
    };
  }
  if (s.strategy === 'application') {
    const naive = await call<RaceResult>(ctx, 'POST', '/lab/v1/references/race', { mode: 'naive', rounds: s.rounds, window_ms: s.window_ms });
    const correct = await call<RaceResult>(ctx, 'POST', '/lab/v1/references/race', { mode: 'correct', rounds: s.rounds, window_ms: s.window_ms });
    return { strategy: 'application', naive, correct };
  }
  return observeEvents(ctx);
}

const RUNS: Record<Strategy, (s: Spec) => string> = {
  'co-location': () => 'Inserts a message for a missing conversation into the demo tables (schema fk_demo) of the first shard.',
  application: (s) =>
    `Runs the check-then-write race twice (naive, then the messenger path), ${s.rounds} rounds each: creates and deletes users and conversations.`,
  events: () => 'Creates a conversation with members on two shards, deletes one member, and follows the outbox until the cleanup is delivered.',
};

/** One strategy from the original's summary table, broken on purpose: refused, repaired later, or left dangling. */
export const referenceStrategy: MeasureKind<Spec> = {
  kind: 'reference-strategy',
  spec,
  runs: (s) => RUNS[s.strategy](s),
  measure: async (s, ctx) => judgeReferenceStrategy(s, await observe(s, ctx)),
};
