import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { SelfClient } from '../http/self-client.js';
import type { Lab } from '../lab/lab.js';
import { ConsoleSession } from './interpreter.js';
import type { ConsoleClientMessage, ConsoleServerMessage } from './protocol.js';

export const CONSOLE_PATH = '/lab/v1/console';

const ClientMessage: z.ZodType<ConsoleClientMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), line: z.string().max(100_000) }),
  z.object({ type: z.literal('complete'), line: z.string().max(10_000) }),
  z.object({ type: z.literal('interrupt') }),
]);


const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * A WebSocket from another web site would carry that site's Origin: refuse it, or any page the learner
 * visits could run SQL on their shards. Pages served by the lab (or by `make ui-dev` on loopback) pass.
 */
export function originAllowed(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const o = new URL(origin);
    return LOOPBACK.has(o.hostname) || o.host === req.headers.host;
  } catch {
    return false;
  }
}

/** The terminal's endpoint, `ws://…/lab/v1/console`, on the lab's own HTTP server. `close()` ends every session. */
export function attachConsole(server: http.Server, lab: Lab): { close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const sessions = new Set<ConsoleSession>();

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== CONSOLE_PATH) {
      // Another feature may own this path; answer only when nobody else listens for upgrades.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    if (!originAllowed(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, new ConsoleSession(lab, SelfClient.from(req))));
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
        return send({ type: 'error', message: 'messages are JSON: {type: run|complete|interrupt, line}' });
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

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
