/**
 * The load generator: runs in its own process (forked by the engine), never in the lab's event loop, so the
 * server under test does not share a thread with its own load. It receives one `start` message, drives
 * autocannon through the scenario's phases, reports a tick every second and a summary at the end, and exits.
 * SIGTERM (cancel) stops the run early; the summary then covers what was sent until then.
 */
import autocannon from 'autocannon';
import { LatencyHistogram } from '../metrics/histogram.js';
import { MixDriver, round, type Step } from './mix.js';
import { opShares } from './scenarios.js';
import type { ChildMessage, LoadSummary, ParentMessage, PhasePlan, TickSample } from './protocol.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const REQUEST_TIMEOUT_S = 10;
/** Enough concurrent requests to open every shard pool of the lab (5 × 20 by default), and prefork workers'. */
const WARMUP_CONNECTIONS = 200;

let instance: autocannon.Instance | null = null;
let stopping = false;

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

process.on('SIGTERM', () => {
  stopping = true;
  instance?.stop();
});

// The IPC channel closes when the lab is gone, however it ended (even SIGKILL): load must not outlive it.
let reported = false;
process.on('disconnect', () => {
  if (!reported) process.exit(0);
});

process.once('message', (msg: ParentMessage) => {
  if (msg.type !== 'start') return;
  run(msg).then(
    (summary) => {
      send({ type: 'done', summary });
      reported = true;
      process.disconnect?.();
    },
    (err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      reported = true;
      process.disconnect?.();
    },
  );
});

/** autocannon's request hooks for a driver; `onAnswer` hears which step each response belonged to. */
function requestsFor(driver: MixDriver, onAnswer: (step: Step, ok: boolean) => void): autocannon.Request[] {
  return [
    {
      setupRequest: (req, context) => {
        const { step, request } = driver.next();
        (context as { step?: Step }).step = step;
        return { ...req, method: request.method, path: request.path, body: request.body ?? '', headers: request.body ? JSON_HEADERS : {} };
      },
      onResponse: (status, body, context) => {
        const step = (context as { step?: Step }).step;
        if (step) onAnswer(step, driver.complete(step, status, body));
      },
    },
  ];
}

/**
 * Reads only, not counted: the lab's connection pools close idle connections, and opening a hundred at the
 * moment thousands of requests arrive would measure a stampede on cold pools rather than the API.
 */
async function warmUp(msg: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
  if (msg.warmup_s <= 0 || msg.data.user_ids.length === 0) return;
  const driver = new MixDriver([{ weight: 1, steps: ['user.get'] }], msg.data);
  const peak = Math.max(...msg.phases.map((p) => p.connections));
  let requests = 0;
  let errors = 0;
  await runPhase(
    msg.url,
    { label: 'warm-up', connections: Math.min(peak, WARMUP_CONNECTIONS), duration_s: msg.warmup_s, rate: null },
    requestsFor(driver, (_s, ok) => void (ok || errors++)),
    {
      onResponse: () => void requests++,
      onError: () => void errors++,
    },
  );
  send({ type: 'warmup', seconds: msg.warmup_s, requests, errors });
}

async function run(msg: Extract<ParentMessage, { type: 'start' }>): Promise<LoadSummary> {
  await warmUp(msg);
  const driver = new MixDriver(msg.flows, msg.data);
  const total = new LatencyHistogram();
  const second = new LatencyHistogram();
  const statusCodes: Record<string, number> = {};
  const counts = { requests: 0, errors: 0, timeouts: 0, socket_errors: 0, non2xx: 0 };
  let secondRequests = 0;
  let secondErrors = 0;
  let lastStep: { step: Step; ok: boolean } | null = null;
  let phase: PhasePlan = msg.phases[0]!;
  const started = performance.now();

  const tick = setInterval(() => {
    const sample: TickSample = {
      t_s: round((performance.now() - started) / 1000, 1),
      phase: phase.label,
      connections: phase.connections,
      requests_per_s: secondRequests,
      errors_per_s: secondErrors,
      latency_ms: second.percentilesMs(),
    };
    send({ type: 'tick', sample, totals: { ...counts } });
    second.reset();
    secondRequests = 0;
    secondErrors = 0;
  }, 1000);

  const requests = requestsFor(driver, (step, ok) => (lastStep = { step, ok }));

  try {
    for (const p of msg.phases) {
      if (stopping) break;
      phase = p;
      await runPhase(msg.url, p, requests, {
        onResponse(status, ms) {
          counts.requests++;
          secondRequests++;
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (status < 200 || status > 299) counts.non2xx++;
          if (lastStep && !lastStep.ok) {
            counts.errors++;
            secondErrors++;
          }
          if (lastStep) driver.ops.get(lastStep.step.op)?.latency.recordMs(ms);
          total.recordMs(ms);
          second.recordMs(ms);
          lastStep = null;
        },
        onError(timeout) {
          counts.errors++;
          secondErrors++;
          if (timeout) counts.timeouts++;
          else counts.socket_errors++;
        },
      });
    }
  } finally {
    clearInterval(tick);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: counts.requests,
    duration_s: round(seconds, 2),
    requests_per_s: round(counts.requests / Math.max(seconds, 0.001), 1),
    latency_ms: total.percentilesMs(),
    errors: counts.errors,
    error_rate:
      counts.requests + counts.timeouts + counts.socket_errors > 0 ? round(counts.errors / (counts.requests + counts.timeouts + counts.socket_errors), 5) : 0,
    timeouts: counts.timeouts,
    socket_errors: counts.socket_errors,
    non2xx: counts.non2xx,
    status_codes: statusCodes,
    ops: driver.summary(opShares(msg.flows)),
    stopped_early: stopping,
  };
}

interface PhaseHooks {
  onResponse(status: number, ms: number): void;
  onError(timeout: boolean): void;
}

function runPhase(url: string, p: PhasePlan, requests: autocannon.Request[], hooks: PhaseHooks): Promise<void> {
  return new Promise((resolve, reject) => {
    const perConnection = p.rate ? p.rate / p.connections : 0;
    instance = autocannon(
      {
        url,
        connections: p.connections,
        duration: p.duration_s,
        timeout: REQUEST_TIMEOUT_S,
        requests,
        ...(perConnection > 0 ? { setupClient: (client: unknown) => pace(client as PacedClient, perConnection) } : {}),
      },
      (err) => {
        instance = null;
        if (err) reject(err);
        else resolve();
      },
    );
    instance.on('response', (_client, status: number, _bytes: number, ms: number) => hooks.onResponse(status, ms));
    // autocannon reports a timeout as a reqError with this message.
    instance.on('reqError', (err: Error) => hooks.onError(err.message === 'request timed out'));
  });
}

/** The part of autocannon's (9.x) client that pacing replaces. */
interface PacedClient {
  rate: number;
  destroyed: boolean;
  _doRequest(): void;
}

/**
 * Paces one connection to `perSecond` requests/s, starting at a random offset. autocannon's own rate limit
 * releases every connection at the same instant each second, so 10,000 connections at 1 req/s would arrive
 * as one burst of 10,000; staggering spreads them evenly, as independent users would. A connection whose
 * response came late sends its next request at once (the run is then closed-loop: the server sets the pace).
 */
function pace(client: PacedClient, perSecond: number): void {
  const interval = 1000 / perSecond;
  let due = performance.now() + Math.random() * interval;
  const doRequest = client._doRequest;
  client.rate = 0;
  client._doRequest = function paced(this: PacedClient) {
    const wait = due - performance.now();
    due = Math.max(due, performance.now() - interval) + interval;
    if (wait <= 0) return doRequest.call(this);
    setTimeout(() => {
      if (!this.destroyed) doRequest.call(this);
    }, wait);
  };
}
