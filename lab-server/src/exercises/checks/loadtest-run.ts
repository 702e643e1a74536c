import { z } from 'zod';
import { errorMessage } from '../../net/self-client.js';
import { fail, pass, type CheckKind, type CheckResult } from '../check-kind.js';
import { fmt } from './format.js';

const spec = z.strictObject({ kind: z.literal('loadtest-run'), scenario: z.string().optional() });
type LoadtestRunSpec = z.output<typeof spec>;

/** The fields of a run this check reads; older builds name the scenario at the top level. */
export interface LoadTestRunView {
  id?: string;
  state?: string;
  scenario?: string;
  params?: { scenario?: string };
  summary?: { requests_per_s?: number; latency_ms?: { p95?: number }; errors?: number };
}

/** The verdict on the runs the lab lists, newest first. */
export function judgeLoadtestRun(s: LoadtestRunSpec, runs: readonly LoadTestRunView[]): CheckResult {
  const wanted = runs.filter((r) => s.scenario === undefined || (r.params?.scenario ?? r.scenario) === s.scenario);
  const done = wanted.find((r) => r.state === 'finished');
  const what = s.scenario ? `a ${s.scenario} load test` : 'a load test';
  if (!done) {
    const running = wanted.some((r) => r.state === 'running' || r.state === 'preparing');
    return fail(
      running
        ? `${what[0]!.toUpperCase()}${what.slice(1)} is still running; check again when it has finished.`
        : `No finished run of ${what} yet. Start one from the load-test panel.`,
    );
  }
  const m = done.summary;
  const p95 = m?.latency_ms?.p95;
  const numbers = m
    ? ` ${fmt(Math.round(m.requests_per_s ?? 0))} req/s, p95 ${p95 === undefined ? '?' : `${fmt(Math.round(p95))} ms`}, ${fmt(m.errors ?? 0)} errors.`
    : '';
  return pass(`Measured here:${numbers || ' the run finished.'}`);
}

/** A run of that scenario has finished. */
export const loadtestRun: CheckKind<LoadtestRunSpec> = {
  kind: 'loadtest-run',
  spec,
  async run(s, { api }) {
    const reply = await api.call<unknown>('GET', '/lab/v1/loadtests');
    if (reply.status !== 200) return fail(`Could not read the load-test history: ${errorMessage(reply)}`);
    const body = reply.body as LoadTestRunView[] | { runs?: LoadTestRunView[]; loadtests?: LoadTestRunView[] };
    return judgeLoadtestRun(s, Array.isArray(body) ? body : (body.runs ?? body.loadtests ?? []));
  },
};
