import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';

/**
 * One stream of everything that changes in the lab, multiplexed on named channels, so a browser tab needs
 * a single connection (browsers allow only 6 HTTP/1.1 streams per site). Features publish; SSE clients
 * (GET /lab/v1/events) subscribe. Channels: `topology`, `job`, `settings`, `metrics`, `loadtest`.
 */
export interface LabEvent {
  channel: string;
  data: unknown;
}

export class EventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open browser tab is a listener; the default limit of 10 would warn for no reason.
    this.emitter.setMaxListeners(0);
  }

  publish(channel: string, data: unknown): void {
    this.emitter.emit('event', { channel, data } satisfies LabEvent);
  }

  subscribe(listener: (event: LabEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}

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
