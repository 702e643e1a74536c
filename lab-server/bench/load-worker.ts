/**
 * The load generator of `npm run bench:data-layer`, in its own process so it never competes with the lab's
 * event loop: autocannon against one endpoint, each request's path (and body) drawn from the given pools.
 * Prints one JSON line: { rps, p99_ms, non2xx, errors, requests }.
 */
import autocannon from 'autocannon';

interface Job {
  url: string;
  method: 'GET' | 'POST';
  paths: string[];
  bodies: string[];
  connections: number;
  seconds: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.seconds,
  requests: [
    {
      method: job.method,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, path: pick(job.paths), ...(job.bodies.length ? { body: pick(job.bodies) } : {}) }),
    },
  ],
});
console.log(
  JSON.stringify({ rps: result.requests.average, p99_ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors, requests: result.requests.total }),
);
