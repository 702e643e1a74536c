import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { SelfClient } from '../net/self-client.js';
import { storable } from '../values/storable.js';
import type { Lab } from '../lab/lab.js';
import type { RequestPolicy } from './request-policy.js';
import { ConsoleSession } from '../console/interpreter.js';
import type { ConsoleClientMessage, ConsoleServerMessage } from '../console/protocol.js';

export const CONSOLE_PATH = '/lab/v1/console';

const ClientMessage: z.ZodType<ConsoleClientMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), line: z.string().max(100_000).refine(storable) }),
  z.object({ type: z.literal('complete'), line: z.string().max(10_000).refine(storable) }),
  z.object({ type: z.literal('interrupt') }),
]);

/** Terminals open at once; each may hold a SQL connection, so they are bounded like the console's connections. */
export const MAX_TERMINALS = 8;

/** The terminal's endpoint, `ws://…/lab/v1/console`, on the lab's own HTTP server. `close()` ends every session. */
export function attachConsole(server: http.Server, lab: Pick<Lab, 'cluster' | 'config'>, policy: RequestPolicy): { close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const sessions = new Set<ConsoleSession>();

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== CONSOLE_PATH) {
      // Another feature may own this path; answer only when nobody else listens for upgrades.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, `No WebSocket at ${path}`);
      return;
    }
    // The rules of every HTTP request: the lab's own Host, its own Origin (a browser always sends one here), the token.
    const refused = policy.refusal(req);
    if (refused) return refuse(socket, refused.status, refused.message);
    if (sessions.size >= MAX_TERMINALS) {
      // Accept, say why, close: a browser shows a refused upgrade only as a failed connection.
      return wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(
          JSON.stringify({
            type: 'error',
            message: `${MAX_TERMINALS} terminals are already open; close one (another tab?) and reconnect.`,
          } satisfies ConsoleServerMessage),
        );
        ws.close(1013, 'too many terminals');
      });
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, new ConsoleSession(lab, SelfClient.from(req, policy.token))));
  };

  function serve(ws: WebSocket, session: ConsoleSession): void {
    sessions.add(session);
    const send = (m: ConsoleServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const out = { write: (text: string) => send({ type: 'output', text }) };
    let busy: Promise<void> = Promise.resolve();
    let running = 0;
    send({ type: 'hello', banner: session.banner(), prompt: session.prompt });
    ws.on('message', (data) => {
      let parsed: ConsoleClientMessage;
      try {
        parsed = ClientMessage.parse(JSON.parse(String(data)));
      } catch {
        return send({ type: 'error', message: 'messages are JSON: {type: run|complete|interrupt, line}, and a line holds no U+0000' });
      }
      if (parsed.type === 'interrupt') {
        session.interrupt();
        // At the prompt there is no command to end and answer; give the (possibly changed) prompt back.
        if (running === 0) send({ type: 'done', prompt: session.prompt });
        return;
      }
      if (parsed.type === 'complete') {
        void session.complete(parsed.line).then((c) => send({ type: 'completion', ...c }));
        return;
      }
      // One command at a time, in the order typed.
      const line = parsed.line;
      running++;
      busy = busy.then(async () => {
        await session.run(line, out);
        running--;
        send({ type: 'done', prompt: session.prompt });
      });
    });
    ws.on('close', () => {
      sessions.delete(session);
      void session.close();
    });
    ws.on('error', () => undefined);
  }

  server.on('upgrade', onUpgrade);
  return {
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      await Promise.all([...sessions].map((s) => s.close()));
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { code: status === 404 ? 'route_not_found' : 'refused', message, details: {} } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Refused'}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
