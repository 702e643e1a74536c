import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorProcessors } from './tracing.js';

/** A stand-in collector: a real HTTP server that records what OTLP/HTTP posts to it. */
const received: { path: string; body: string }[] = [];
let collector: http.Server;
let url: string;
beforeAll(async () => {
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

describe('exporting traces to a collector', () => {
  it('adds nothing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(collectorProcessors({})).toEqual([]);
  });

  it('sends spans over OTLP/HTTP to the endpoint the standard variables name', async () => {
    const processors = collectorProcessors({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces` });
    expect(processors).toHaveLength(1);
    // The exporter reads the variables from the process environment when it is built.
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${url}/v1/traces`;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    try {
      const provider = new BasicTracerProvider({ spanProcessors: collectorProcessors() });
      provider
        .getTracer('test')
        .startSpan('ring lookup', { attributes: { 'lab.shard': 'shard-2' } })
        .end();
      await provider.forceFlush();
      await provider.shutdown();
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    }
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
    expect(received[0]!.body).toContain('ring lookup');
    expect(received[0]!.body).toContain('shard-2');
  });
});
