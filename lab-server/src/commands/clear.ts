import { noArgs } from './args.js';
import { defineCommand } from './command.js';

export default defineCommand({
  name: 'clear',
  usage: 'clear',
  summary: 'clear the screen',
  // A CLI has its own terminal's `clear`.
  frontEnds: ['terminal'],
  args: noArgs,
  run: async () => ({ data: null, text: '\x1b[2J\x1b[3J\x1b[H' }),
});
