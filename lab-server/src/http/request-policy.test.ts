import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestPolicy } from './request-policy.js';

/** A request as Node hands it to the policy: method, URL, headers and the peer's address. */
function request(method: string, headers: Record<string, string>, peer = '127.0.0.1', url = '/lab/v1/topology'): http.IncomingMessage {
  return { method, url, headers, socket: { remoteAddress: peer } } as unknown as http.IncomingMessage;
}

const loopback = new RequestPolicy({ bindHost: '127.0.0.1', allowedHosts: [], token: null });
const HOST = { host: '127.0.0.1:8080' };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('the request policy', () => {
  it('serves only the lab’s own host names (DNS rebinding)', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'LOCALHOST']) expect(loopback.refusal(request('GET', { host }))).toBeNull();
    for (const host of ['evil.example:8080', 'evil.example', '127.0.0.1.evil.example', '', 'a:b:c']) {
      expect(loopback.refusal(request('GET', { host }))?.status, host).toBe(421);
    }
    expect(loopback.refusal(request('GET', {}))?.status).toBe(421);
    const named = new RequestPolicy({ bindHost: '127.0.0.1', allowedHosts: ['lab.internal'], token: null });
    expect(named.refusal(request('GET', { host: 'lab.internal:8080' }))).toBeNull();
  });

  it('lets curl, the CLI and scripts act as before: no Origin, loopback', () => {
    expect(loopback.refusal(request('POST', HOST))).toBeNull();
    expect(loopback.refusal(request('DELETE', HOST))).toBeNull();
    expect(loopback.refusal(request('POST', { ...HOST, ...JSON_TYPE, 'content-length': '2' }))).toBeNull();
  });

  it('refuses any request that names another origin, and acting requests from another site', () => {
    const evil = { ...HOST, origin: 'http://evil.example' };
    expect(loopback.refusal(request('GET', evil))?.code).toBe('cross_origin');
    expect(loopback.refusal(request('POST', { ...evil, ...JSON_TYPE }))?.code).toBe('cross_origin');
    // Another port on loopback is another origin (another local dev server).
    expect(loopback.refusal(request('POST', { ...HOST, ...JSON_TYPE, origin: 'http://127.0.0.1:5173' }))?.code).toBe('cross_origin');
    expect(loopback.refusal(request('POST', { ...HOST, ...JSON_TYPE, origin: 'null' }))?.code).toBe('cross_origin');
    expect(loopback.refusal(request('POST', { ...HOST, ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }))?.code).toBe('cross_origin');
    expect(loopback.refusal(request('POST', { ...HOST, ...JSON_TYPE, 'sec-fetch-site': 'same-site' }))?.code).toBe('cross_origin');
    // A link from elsewhere may still open the page.
    expect(loopback.refusal(request('GET', { ...HOST, 'sec-fetch-site': 'cross-site' }, '127.0.0.1', '/'))).toBeNull();
  });

  it('lets the lab’s own page act, with JSON only', () => {
    const own = { ...HOST, origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' };
    expect(loopback.refusal(request('POST', { ...own, ...JSON_TYPE, 'content-length': '2' }))).toBeNull();
    expect(loopback.refusal(request('POST', { ...own, 'content-type': 'text/plain', 'content-length': '2' }))?.status).toBe(415);
    expect(loopback.refusal(request('POST', { ...own, 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' }))?.status).toBe(415);
    // A browser request without a Content-Type is refused too: a bodiless action sends {}.
    expect(loopback.refusal(request('DELETE', own))?.status).toBe(415);
    // Anyone sending a body must say it is JSON.
    expect(loopback.refusal(request('PUT', { ...HOST, 'content-length': '5' }))?.status).toBe(415);
    expect(loopback.refusal(request('PUT', { ...HOST, 'transfer-encoding': 'chunked' }))?.status).toBe(415);
  });

  describe('beyond loopback', () => {
    const token = 'a-token-long-enough-0123456789';
    const wide = new RequestPolicy({ bindHost: '0.0.0.0', allowedHosts: ['lab.example'], token });
    const remote = (headers: Record<string, string>, url?: string) => request('GET', { host: 'lab.example:8080', ...headers }, '192.0.2.10', url);

    it('asks every client that is not on this machine for the token', () => {
      expect(wide.refusal(remote({}))?.code).toBe('token_required');
      expect(wide.refusal(remote({ authorization: 'Bearer wrong-token-of-the-same-len' }))?.code).toBe('token_required');
      expect(wide.refusal(remote({ authorization: `Bearer ${token}` }))).toBeNull();
      expect(wide.refusal(remote({ cookie: `other=1; lab_token=${token}` }))).toBeNull();
      expect(wide.refusal(remote({}, `/lab/v1/console?token=${token}`))).toBeNull();
      // Clients on this machine passed the same checks a loopback-bound lab makes: no token to type.
      expect(wide.refusal(request('GET', { host: 'lab.example' }, '::ffff:127.0.0.1'))).toBeNull();
    });

    it('moves a token from the URL into an HttpOnly cookie and drops it from the address', () => {
      const r = wide.tokenRedirect(request('GET', { host: 'lab.example', accept: 'text/html' }, '192.0.2.10', `/?token=${token}&x=1`));
      expect(r).toEqual({ location: '/?x=1', cookie: `lab_token=${token}; HttpOnly; SameSite=Strict; Path=/` });
      expect(wide.tokenRedirect(request('GET', { host: 'lab.example', accept: 'text/html' }, '192.0.2.10', '/?token=nope'))).toBeNull();
      expect(wide.tokenRedirect(request('GET', { host: 'lab.example', accept: 'application/json' }, '192.0.2.10', `/?token=${token}`))).toBeNull();
      expect(loopback.tokenRedirect(request('GET', { ...HOST, accept: 'text/html' }, '127.0.0.1', `/?token=${token}`))).toBeNull();
    });

    it('answers to the machine’s own addresses when bound to all of them, and still not to other names', () => {
      expect(wide.refusal(request('GET', { host: '127.0.0.1:8080', authorization: `Bearer ${token}` }, '192.0.2.10'))).toBeNull();
      expect(wide.refusal(request('GET', { host: 'evil.example:8080', authorization: `Bearer ${token}` }, '192.0.2.10'))?.status).toBe(421);
    });
  });
});
