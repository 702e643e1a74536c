import type { z } from 'zod';
import { get, post, request } from './api.js';
import { noArgs } from './args.js';
import { defineCommand, type Command, type CommandContext, type CommandResult } from './command.js';

/**
 * A command without arguments that calls one /lab/v1 route and prints its answer: the shape most listing and
 * one-step commands share (`tune knobs`, `tune crashes`, `loadtest list`, …).
 */
export function callCommand<S extends z.ZodType>(spec: {
  name: string;
  summary: string;
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  reply: S;
  show(reply: z.output<S>, ctx: CommandContext): CommandResult | Promise<CommandResult>;
}): Command {
  return defineCommand({
    name: spec.name,
    usage: spec.name,
    summary: spec.summary,
    args: noArgs,
    async run(_args, ctx) {
      const reply =
        spec.method === 'POST'
          ? await post(ctx.lab, spec.path, spec.reply)
          : spec.method === 'DELETE'
            ? (await request(ctx.lab, 'DELETE', spec.path, spec.reply)).body
            : await get(ctx.lab, spec.path, spec.reply);
      return spec.show(reply, ctx);
    },
  });
}
