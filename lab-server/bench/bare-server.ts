/**
 * The baseline of `npm run bench:api`: the same point lookup as the lab's GET /api/v1/users/:id — same
 * routing (normalised key → MD5 ring), same named prepared statement, same pools — on bare `node:http`,
 * with no framework, validation, metrics or error shape. Prints `listening <url>` when ready.
 * Env: SHARD_URLS (comma-separated), POOL_MAX.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool } from '../src/postgres/pool.js';
import { findUser } from '../src/messenger/users/pg-repository.js';
import { Router } from '../src/sharding/router.js';
import { createStrategy } from '../src/sharding/strategies.js';

const urls = (process.env.SHARD_URLS ?? '').split(',').filter(Boolean);
const names = urls.map((_, i) => `shard-${i}`);
const router = new Router(createStrategy('md5-ring', names, 150), names);
const max = Number(process.env.POOL_MAX ?? 20);
const pools = urls.map((u) => createPool(u, { max, idleTimeoutMs: 30_000, connectTimeoutMs: 3_000, statementTimeoutMs: 15_000 }));
const PREFIX = '/api/v1/users/';

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' || !req.url?.startsWith(PREFIX)) {
    res.writeHead(404).end();
    return;
  }
  let shard: number;
  let id: string;
  try {
    const route = router.route(req.url.slice(PREFIX.length));
    shard = route.shard_id;
    id = route.normalized_key;
  } catch {
    res.writeHead(400).end();
    return;
  }
  findUser(pools[shard]!, id).then(
    (user) => {
      if (!user) return void res.writeHead(404).end();
      const body = JSON.stringify(user);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    },
    () => res.writeHead(500).end(),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void Promise.all(pools.map((p) => p.end())).then(() => process.exit(0)));
});
