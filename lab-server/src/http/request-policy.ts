import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import { LOOPBACK_NAMES, unbracket } from '../net/loopback.js';
import { ApiError } from './api-error.js';

/**
 * Who may drive the lab. It is a server on the learner's own machine with a control plane and a SQL console,
 * so a web page they happen to visit must not be able to use it (see docs/security.md):
 * - the Host must be one of the lab's own names, or DNS rebinding would make an attacker's name point here;
 * - a browser request that acts (or any request that names another Origin) must come from the lab's own page;
 * - an acting request with a Content-Type must say JSON, so no "simple" cross-site form or text/plain request
 *   can act even in a browser that sends no Origin;
 * - when the lab listens beyond loopback, every client that is not on this machine shows the token.
 * Clients that are no browser (curl, the CLI, scripts) send no Origin and keep working on loopback unchanged.
 */
export interface PolicyOptions {
  /** The address the lab binds (LAB_HOST). */
  bindHost: string;
  /** Extra Host names the user allows (LAB_ALLOWED_HOSTS); `*` allows any (only sensible with a token). */
  allowedHosts: string[];
  /** Required from clients beyond loopback; null when the lab listens on loopback only. */
  token: string | null;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const ACTING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class RequestPolicy {
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;
  readonly cookieName = 'lab_token';

  constructor(private readonly options: PolicyOptions) {
    this.anyHost = options.allowedHosts.includes('*');
    this.hosts = new Set([...LOOPBACK_NAMES, ...options.allowedHosts.map((h) => unbracket(h.toLowerCase()))]);
    if (WILDCARDS.has(options.bindHost)) {
      // Bound to every interface: the machine's own addresses and name are its names too.
      for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) this.hosts.add(a.address.toLowerCase());
      this.hosts.add(os.hostname().toLowerCase());
    } else {
      this.hosts.add(unbracket(options.bindHost.toLowerCase()));
    }
  }

  get token(): string | null {
    return this.options.token;
  }

  /** Null when the request may proceed, else the error to answer with (nothing has run yet). */
  refusal(req: http.IncomingMessage): ApiError | null {
    const host = req.headers.host;
    const hostname = host ? hostnameOf(host) : null;
    if (!hostname || (!this.anyHost && !this.hosts.has(hostname))) {
      return new ApiError(
        421,
        'host_not_allowed',
        `This lab does not answer to the host name '${host ?? ''}'. Open it as http://127.0.0.1, http://localhost, or add the name to LAB_ALLOWED_HOSTS.`,
        { host: host ?? null },
      );
    }
    const origin = req.headers.origin;
    const site = header(req, 'sec-fetch-site');
    const acting = ACTING.has(req.method ?? 'GET');
    if (origin !== undefined && !this.sameOrigin(origin, host!)) {
      return new ApiError(403, 'cross_origin', `Requests from ${origin} may not use this lab; only its own pages can.`, { origin });
    }
    if (acting && site !== undefined && site !== 'same-origin' && site !== 'none') {
      return new ApiError(403, 'cross_origin', `A ${site} request may not act on this lab; only its own pages can.`, { sec_fetch_site: site });
    }
    if (acting) {
      const type = req.headers['content-type'];
      const fromBrowser = origin !== undefined || site !== undefined;
      if (type !== undefined ? !isJson(type) : fromBrowser || hasBody(req)) {
        return new ApiError(
          415,
          'unsupported_media_type',
          `${req.method} requests must send Content-Type: application/json (an action without arguments sends {}).`,
        );
      }
    }
    if (this.options.token && !isLoopbackPeer(req) && !this.tokenShown(req)) {
      return new ApiError(
        401,
        'token_required',
        'This lab listens beyond loopback: open the URL with ?token= that it printed at start, or send Authorization: Bearer <token>.',
      );
    }
    return null;
  }

  /**
   * A page opened with `?token=` (the URL the lab prints): the token moves into an HttpOnly cookie and the
   * browser is sent to the same address without it, so it does not linger in the address bar or history.
   */
  tokenRedirect(req: http.IncomingMessage): { location: string; cookie: string } | null {
    if (!this.options.token || req.method !== 'GET' || !req.headers.accept?.includes('text/html')) return null;
    const url = new URL(req.url ?? '/', 'http://lab');
    const given = url.searchParams.get('token');
    if (given === null || !same(given, this.options.token)) return null;
    url.searchParams.delete('token');
    return {
      location: `${url.pathname}${url.search}`,
      cookie: `${this.cookieName}=${this.options.token}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }

  private sameOrigin(origin: string, host: string): boolean {
    try {
      const o = new URL(origin);
      return (o.protocol === 'http:' || o.protocol === 'https:') && o.host.toLowerCase() === host.toLowerCase();
    } catch {
      return false; // includes the opaque "null" origin of sandboxed frames and some redirects
    }
  }

  private tokenShown(req: http.IncomingMessage): boolean {
    const token = this.options.token!;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && same(auth.slice(7).trim(), token)) return true;
    const cookie = cookies(req.headers.cookie)[this.cookieName];
    if (cookie && same(cookie, token)) return true;
    const given = new URL(req.url ?? '/', 'http://lab').searchParams.get('token');
    return given !== null && same(given, token);
  }
}

/** Answers a refused request in the lab's one error shape, before any route sees it. */
export function sendRefusal(res: http.ServerResponse, err: ApiError): void {
  const body = JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } });
  res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** Wraps the server's request listener: every request passes the policy first, whichever route serves it. */
export function guard(policy: RequestPolicy, listener: http.RequestListener): http.RequestListener {
  return (req, res) => {
    const refused = policy.refusal(req);
    if (refused) return sendRefusal(res, refused);
    const redirect = policy.tokenRedirect(req);
    if (redirect) return void res.writeHead(303, { location: redirect.location, 'set-cookie': redirect.cookie, 'content-length': 0 }).end();
    listener(req, res);
  };
}

function isLoopbackPeer(req: http.IncomingMessage): boolean {
  const addr = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return addr === '::1' || /^127\./.test(addr);
}

function isJson(type: string): boolean {
  const essence = type.split(';')[0]!.trim().toLowerCase();
  return essence === 'application/json' || /^application\/[\w.-]+\+json$/.test(essence);
}

function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function hostnameOf(host: string): string | null {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim().toLowerCase());
  return m ? unbracket(m[1]!) : null;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cookies(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
