import { LatencyHistogram, type Percentiles } from '../metrics/histogram.js';
import { OPS, type HttpRequest, type RunData, type Vars } from './ops.js';
import type { Flow, OpName } from './scenarios.js';

/** One request in flight: which flow and step it belongs to, and what earlier steps handed it. */
export interface Step {
  flow: Flow;
  index: number;
  op: OpName;
  vars: Vars;
}

export interface OpStats {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  latency: LatencyHistogram;
}

export interface OpSummary {
  requests: number;
  errors: number;
  share: number;
  expected_share: number;
  expect_status: number;
  statuses: Record<string, number>;
  latency_ms: Percentiles | null;
}

/**
 * Produces a scenario's requests. Any free connection first takes a step whose predecessor has answered
 * (so a read of a created user is sent only after the create returned 201), else starts a new flow picked by
 * weight. A response with any status but the expected one ends its flow and counts as an error.
 */
export class MixDriver {
  private readonly pending: Step[] = [];
  private readonly totalWeight: number;
  readonly ops = new Map<OpName, OpStats>();

  constructor(
    private readonly flows: readonly Flow[],
    private readonly data: RunData,
    private readonly random: () => number = Math.random,
  ) {
    this.totalWeight = flows.reduce((s, f) => s + f.weight, 0);
    for (const f of flows) for (const op of f.steps) this.ops.set(op, { requests: 0, errors: 0, statuses: {}, latency: new LatencyHistogram() });
  }

  next(): { step: Step; request: HttpRequest } {
    for (let attempt = 0; attempt < 100; attempt++) {
      const step = this.pending.shift() ?? this.startFlow();
      const request = OPS[step.op].build(step.vars, this.data, this.random);
      if (request) return { step, request };
    }
    throw new Error('the scenario cannot build a request (are there users or conversations to read?)');
  }

  /** Records the answer to a step's request; returns whether it was the expected one. */
  complete(step: Step, status: number, body: string | undefined): boolean {
    const stats = this.ops.get(step.op)!;
    stats.requests++;
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    const spec = OPS[step.op];
    if (status !== spec.expect) {
      stats.errors++;
      return false;
    }
    if (step.index + 1 < step.flow.steps.length) {
      try {
        if (spec.capture && body !== undefined) spec.capture(body, step.vars);
      } catch {
        stats.errors++;
        return false;
      }
      this.pending.push({ flow: step.flow, index: step.index + 1, op: step.flow.steps[step.index + 1]!, vars: step.vars });
    }
    return true;
  }

  summary(expectedShares: Partial<Record<OpName, number>>): Record<string, OpSummary> {
    const total = [...this.ops.values()].reduce((s, o) => s + o.requests, 0) || 1;
    const out: Record<string, OpSummary> = {};
    for (const [op, s] of this.ops) {
      out[op] = {
        requests: s.requests,
        errors: s.errors,
        share: round(s.requests / total, 4),
        expected_share: round(expectedShares[op] ?? 0, 4),
        expect_status: OPS[op].expect,
        statuses: { ...s.statuses },
        latency_ms: s.latency.percentilesMs(),
      };
    }
    return out;
  }

  private startFlow(): Step {
    let r = this.random() * this.totalWeight;
    let flow = this.flows[this.flows.length - 1]!;
    for (const f of this.flows) {
      if (r < f.weight) {
        flow = f;
        break;
      }
      r -= f.weight;
    }
    return { flow, index: 0, op: flow.steps[0]!, vars: {} };
  }
}

export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
