import type { ApiRouter } from '../api-router.js';
import { ApiError } from '../errors.js';

/**
 * `GET /lab/v1/console`: the terminal's WebSocket, declared here so the OpenAPI document lists it with the rest of
 * the control API. The upgrade never reaches this handler — `console-socket.ts` takes it on the server's `upgrade`
 * event, under the same request policy — so a plain GET is told to upgrade.
 */
export function consoleRoutes(api: ApiRouter): void {
  api.add(
    {
      method: 'get',
      path: '/console',
      tag: 'lab: terminal',
      summary: "The terminal's WebSocket: the lab's commands, one line at a time",
      description:
        'Connect with `Upgrade: websocket`. Client messages: `{type: "run", line}`, `{type: "complete", line}`, `{type: "interrupt"}`; server messages: `hello` (banner, prompt), `output` (text), `done` (prompt), `completion` (from, options), `error` (message). Types: lab-server/src/console/protocol.ts.',
      responses: {
        101: { description: 'Switching Protocols: the WebSocket is open and the server sends `hello`' },
        426: { description: 'upgrade_required: a plain GET; open a WebSocket instead' },
      },
    },
    () => {
      throw new ApiError(426, 'upgrade_required', 'GET /lab/v1/console is the terminal’s WebSocket: open it with a WebSocket client (Upgrade: websocket).');
    },
  );
}
