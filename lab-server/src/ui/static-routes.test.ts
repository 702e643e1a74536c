import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRoutes } from './static-routes.js';

let dir: string;
let server: http.Server;
let base: string;
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(5000))});`;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shard-lab-ui-'));
  await fsp.mkdir(path.join(dir, 'assets'));
  await fsp.writeFile(path.join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  await fsp.writeFile(path.join(dir, 'assets', 'app-1.js'), SCRIPT);
  await fsp.writeFile(path.join(dir, 'assets', 'app-1.js.br'), zlib.brotliCompressSync(SCRIPT));
  await fsp.writeFile(path.join(dir, 'assets', 'app-1.js.gz'), zlib.gzipSync(SCRIPT));
  await fsp.writeFile(path.join(dir, 'assets', 'plain-1.css'), 'body{}');
  server = http.createServer(express().use(uiRoutes(dir)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await fsp.rm(dir, { recursive: true, force: true });
});

/** node:http, not fetch: fetch would decode the body and hide what was sent. */
function get(p: string, acceptEncoding: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${p}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('built assets', () => {
  it('go out precompressed in the best encoding the browser accepts, with the asset’s own type', async () => {
    const br = await get('/assets/app-1.js', 'gzip, deflate, br, zstd');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.headers['cache-control']).toMatch(/immutable/);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 10);
    const gz = await get('/assets/app-1.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(SCRIPT);
  });

  it('go out as they are to a client that accepts no encoding, or when none was built', async () => {
    const plain = await get('/assets/app-1.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    const css = await get('/assets/plain-1.css', 'br');
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString()).toBe('body{}');
  });
});
