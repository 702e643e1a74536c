import type { Request, Response } from 'express';
import type { EventHub } from '../lab/events.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /lab/v1/events[?channels=a,b]`: Server-Sent Events. The first event, `hello`, carries a snapshot
 * (from `snapshot()`) so a client never has to fetch and subscribe separately and miss what happened between.
 */
export function eventStream(hub: EventHub, snapshot: () => Record<string, unknown>): (req: Request, res: Response, channels: string | undefined) => void {
  return (req, res, channels) => {
    const wanted = channels === undefined ? null : new Set(channels.split(',').map((c) => c.trim()));
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    send('hello', snapshot());
    const unsubscribe = hub.subscribe((e) => {
      if (!wanted || wanted.has(e.channel)) send(e.channel, e.data);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  };
}
