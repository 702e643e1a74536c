import { z } from 'zod';
import { get, seg } from './api.js';
import { arg, positionals } from './args.js';
import { defineCommand } from './command.js';
import { formatTable, num } from './format.js';
import { IdAnatomy } from './replies.js';

export default defineCommand({
  name: 'id',
  usage: 'id ID',
  summary: "a UUID's anatomy: version, variant, and for a UUIDv7 the millisecond it was minted",
  args: z.object({ _: positionals([arg('ID (a UUID)')]) }),
  async run({ _: [id] }, ctx) {
    const a = await get(ctx.lab, `/lab/v1/ids/${seg(id)}`, IdAnatomy);
    const table = formatTable(
      ['field', 'hex', 'bits'],
      a.fields.map((f) => [f.name, f.hex, f.bits]),
    );
    const when =
      a.unix_ms === null
        ? `version ${a.version}: no time inside, ${a.random_bits} random bits`
        : `version 7: minted at ${num(a.unix_ms)} ms since 1970 = ${a.time} (${num(Date.now() - a.unix_ms)} ms ago); ${a.random_bits} random bits`;
    return { data: a, text: `${table}\n${when}; variant ${a.variant_bits}` };
  },
});
