import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { closeWhen, closeWhenQuiet, countAnswers } from './close-when.js';

let closing = false;
let release: () => void = () => undefined;
let arrived: () => void = () => undefined;
const slowArrived = new Promise<void>((r) => (arrived = r));
const server = http.createServer(
  closeWhen(
    () => closing,
    (req, res) => {
      // The slow request is answered only once the server has started closing, as a workers change is.
      if (req.url === '/slow') {
        release = () => res.end('late');
        arrived();
      } else res.end('now');
    },
  ),
);
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('keeps connections alive until closing, then tells even a request that came in before to close', async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const early = await fetch(`${base}/`);
  expect(early.headers.get('connection')).toBe('keep-alive');
  await early.text();

  const slow = fetch(`${base}/slow`);
  await slowArrived;
  closing = true;
  release();
  const answer = await slow;
  expect(answer.headers.get('connection')).toBe('close');
  expect(await answer.text()).toBe('late');
});

it('lets go of the port at once, finishes the answer in flight, and closes only then', async () => {
  let answer: () => void = () => undefined;
  let came: () => void = () => undefined;
  const inFlight = new Promise<void>((r) => (came = r));
  const answers = countAnswers(
    (_req, res) => {
      answer = () => res.end('done');
      came();
    },
    (req) => req.url === '/events',
  );
  const draining = http.createServer(closeWhen(() => true, answers.handler));
  await new Promise<void>((r) => draining.listen(0, '127.0.0.1', r));
  const port = (draining.address() as AddressInfo).port;
  const reply = fetch(`http://127.0.0.1:${port}/solve`);
  await inFlight;
  expect(answers.pending()).toBe(1);

  let closed = false;
  const closing = closeWhenQuiet(draining, answers.pending).then(() => (closed = true));
  // The port is free for the next server while the old one still answers.
  const next = http.createServer();
  await new Promise<void>((r) => next.listen(port, '127.0.0.1', r));
  await new Promise<void>((r) => next.close(() => r()));
  expect(closed).toBe(false);

  answer();
  const res = await reply;
  expect(await res.text()).toBe('done');
  expect(res.headers.get('connection')).toBe('close');
  await closing;
  expect(answers.pending()).toBe(0);
});
