/** The terminal's WebSocket messages (types only; the browser lab imports this file too). */

/** Browser → lab: run a line, complete the word before the cursor, or interrupt (Ctrl-C). */
export type ConsoleClientMessage = { type: 'run'; line: string } | { type: 'complete'; line: string } | { type: 'interrupt' };

/** Lab → browser: `hello` (banner + prompt), `output`, `done` (command finished; the next prompt), `completion`. */
export type ConsoleServerMessage =
  | { type: 'hello'; banner: string; prompt: string }
  | { type: 'output'; text: string }
  | { type: 'done'; prompt: string }
  | { type: 'completion'; from: number; options: string[] }
  | { type: 'error'; message: string };
