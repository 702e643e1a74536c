import http from 'node:http';

/**
 * The child of a connection-memory trial (connection-memory.ts): a bare Node HTTP server, the kind Express runs on,
 * alone in its process so that its memory is the server's and nothing else's. It answers every request with a tiny
 * JSON body and keeps the connection open; over IPC it reports its memory after a full garbage collection.
 */
export type ServerMessage =
  | { type: 'listening'; port: number }
  | { type: 'memory'; rss: number; heap_used: number; heap_total: number; external: number; connections: number };

const BODY = JSON.stringify({ ok: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
});
// Node closes an idle keep-alive connection after 5 s; a trial with many connections may hold them longer.
server.keepAliveTimeout = 10 * 60_000;

const send = (m: ServerMessage) => process.send?.(m);

/** Twice, with a turn of the event loop between: what the first collection frees may leave work for the second. */
async function settle(): Promise<void> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
}

process.on('message', (m: { type: 'memory' }) => {
  if (m.type !== 'memory') return;
  void settle().then(() =>
    server.getConnections((err, connections) => {
      const u = process.memoryUsage();
      send({ type: 'memory', rss: u.rss, heap_used: u.heapUsed, heap_total: u.heapTotal, external: u.external, connections: err ? -1 : connections });
    }),
  );
});
// The parent stopping (or dying) ends the trial: no server outlives it.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') send({ type: 'listening', port: address.port });
});
