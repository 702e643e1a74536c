import type { IncomingMessage } from 'node:http';
import { parseJsonText } from './json-text.js';

export interface SelfReply<T = unknown> {
  status: number;
  body: T;
  headers?: Headers;
}

/**
 * The lab calling its own HTTP API over loopback. "Solve it for me" and the terminal do exactly what a learner
 * could do by hand, through the same routes, so an API that another part of the lab adds later just works.
 */
export class SelfClient {
  constructor(
    readonly base: string,
    /** The lab's token when it listens beyond loopback: its own listener there may not be on loopback. */
    private readonly token: string | null = null,
  ) {}

  /** The address this request arrived on: the lab's own listener. */
  static from(req: IncomingMessage, token: string | null): SelfClient {
    const { localAddress, localPort } = req.socket;
    const host = !localAddress || localAddress === '0.0.0.0' || localAddress === '::' ? '127.0.0.1' : localAddress.replace(/^::ffff:/, '');
    return new SelfClient(`http://${host.includes(':') ? `[${host}]` : host}:${localPort}`, token);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<SelfReply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.base}${path}`, init);
    return { status: res.status, body: parseJsonText(await res.text()) as T, headers: res.headers };
  }
}

export function errorMessage(reply: SelfReply): string {
  const b = reply.body as { error?: { message?: unknown } } | null;
  return typeof b?.error?.message === 'string' ? b.error.message : `HTTP ${reply.status}`;
}
