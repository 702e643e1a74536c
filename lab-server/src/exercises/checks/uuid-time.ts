import { z } from 'zod';
import type { Answer } from '../context.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';
import { findUserByName } from './user-shard.js';

const spec = z.strictObject({ kind: z.literal('uuid-time'), first_name: z.string().min(1), last_name: z.string().min(1) });
type UuidTimeSpec = z.output<typeof spec>;

/** The Unix time in milliseconds a UUIDv7 carries in its first 48 bits (12 hex digits). */
export const uuidV7Millis = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

/** The verdict on the learner's decoding of the newest such user's id. */
export function judgeUuidTime(s: UuidTimeSpec, answer: Answer | undefined, id: string | null): CheckResult {
  const who = `${s.first_name} ${s.last_name}`;
  if (!id)
    return fail(`There is no user named ${who} yet. Create one: the “Create user” form, or \`user create ${s.first_name} ${s.last_name}\` in the terminal.`);
  if (answer === undefined || !Number.isFinite(Number(answer))) return fail(`Enter the number of milliseconds first.`);
  const ms = uuidV7Millis(id);
  const hex = id.replaceAll('-', '').slice(0, 12);
  if (Number(answer) === ms) return pass(`Right: ${id} begins with 0x${hex} = ${fmt(ms)} ms after 1970-01-01, that is ${new Date(ms).toISOString()}.`);
  return fail(`Not ${answer}. Take the first 12 hex digits of ${who}'s id (skip the dash) and read them as one hexadecimal number.`);
}

/** The learner decodes the creation time written into the newest such user's UUIDv7 (asks a number). */
export const uuidTime: CheckKind<UuidTimeSpec> = {
  kind: 'uuid-time',
  spec,
  question: {
    input: (s) => ({ type: 'number', label: `${s.first_name} ${s.last_name}'s id holds which Unix time, in milliseconds?`, unit: 'ms' }),
    answer: async (s, ctx) => {
      const found = await findUserByName(ctx, s.first_name, s.last_name);
      return found ? uuidV7Millis(found.id) : null;
    },
  },
  async run(s, ctx, answer) {
    return judgeUuidTime(s, answer, (await findUserByName(ctx, s.first_name, s.last_name))?.id ?? null);
  },
};
