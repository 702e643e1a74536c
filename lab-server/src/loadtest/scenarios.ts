/**
 * Every load-test scenario, as data: the UI, the docs, the CLI and the engine all read this one list.
 *
 * A scenario is a request mix made of weighted *flows*. A flow is a short sequence of operations where a
 * later step uses what an earlier one returned (create a user, then read, update and delete *that* user;
 * follow `next_cursor` from one page to the next). Whenever a connection is free it takes the next step of a
 * flow whose previous step has answered, or starts a new flow picked by weight; so the share of each
 * operation is fixed by the flows (see `opShares`). Every operation expects one status; anything else
 * — a 404 for an id that exists, a 500, a timeout, a refused connection — is counted as an error.
 */
export type OpName =
  | 'user.get'
  | 'user.list'
  | 'user.next-page'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'conversation.messages'
  | 'conversation.send'
  | 'hot.messages'
  | 'hot.send';

export interface Flow {
  weight: number;
  steps: OpName[];
}

/** A stretch of the run with its own number of connections, as fractions of the run's peak and duration. */
export interface Phase {
  label: string;
  connections: number;
  duration: number;
}

export interface Scenario {
  name: string;
  title: string;
  /** The written definition, shown in the UI and the docs. */
  description: string;
  /** Which target of the original project it stands for, and how it differs. */
  original: string;
  /** closed: every connection sends its next request as soon as the previous one answered. rate: paced to `rate` req/s in total. */
  model: 'closed' | 'rate';
  connections: number;
  duration_s: number;
  /** Target requests/s over all connections (model `rate`); each connection is paced to rate/connections (may be below 1). */
  rate: number | null;
  phases: Phase[];
  flows: Flow[];
  /** What must exist before the run: users to read (seeded when there are none) or the messenger's conversations. */
  needs: 'users' | 'messenger';
}

const ONE_PHASE: Phase[] = [{ label: 'steady', connections: 1, duration: 1 }];
/** What most scenarios share: one steady phase, closed loop, reading users. */
const STEADY = { model: 'closed', rate: null, phases: ONE_PHASE, needs: 'users' } as const;
/** The messenger scenarios: 100 connections for 60 s over conversations. */
const MESSENGER = { ...STEADY, connections: 100, duration_s: 60, needs: 'messenger', original: 'Beyond the original (it had no messages).' } as const;

/** The shared "typical API" mix: mostly point reads, some listing, writes that clean up after themselves. */
const STANDARD_FLOWS: Flow[] = [
  { weight: 60, steps: ['user.get'] },
  { weight: 10, steps: ['user.list'] },
  { weight: 10, steps: ['user.create'] },
  { weight: 10, steps: ['user.update'] },
  { weight: 5, steps: ['user.create', 'user.delete'] },
];

const READ_HEAVY_FLOWS: Flow[] = [
  { weight: 70, steps: ['user.get'] },
  { weight: 10, steps: ['user.list'] },
  { weight: 10, steps: ['user.create'] },
  { weight: 10, steps: ['user.update'] },
];

const CRUD_FLOW: Flow[] = [{ weight: 1, steps: ['user.create', 'user.get', 'user.update', 'user.list', 'user.delete'] }];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'smoke',
    title: 'Smoke',
    description:
      '10 connections for 10 s, closed loop. Every connection runs the full life of a user: create → read it → update it → list the newest page → delete it (20 % each). A quick check that every endpoint answers correctly under light load.',
    original: '`make loadtest-smoke` (10 users, 30 s; there the TEST_TYPE was ignored and it ran the create-user ramp).',
    ...STEADY,
    connections: 10,
    duration_s: 10,
    flows: CRUD_FLOW,
  },
  {
    name: 'standard',
    title: 'Standard mix',
    description:
      '100 connections for 60 s, closed loop. A typical API mix: 60 % reads by id (existing users), 10 % newest-page listings, 15 % creates, 10 % updates of existing users, 5 % deletes of users this run created.',
    original: '`make loadtest` (100 users, 60 s of the create-user simulation only).',
    ...STEADY,
    connections: 100,
    duration_s: 60,
    flows: STANDARD_FLOWS,
  },
  {
    name: 'read-heavy',
    title: 'Read-heavy (80 % reads)',
    description:
      '300 connections for 60 s, closed loop. 80 % reads — 70 % point reads of existing users by id, 10 % newest-page listings — and 20 % writes: 10 % creates, 10 % updates of existing users.',
    original: '`make loadtest-read` (300 users: 80 % list, 15 % two pages, 5 % create; it accepted 404s as success).',
    ...STEADY,
    connections: 300,
    duration_s: 60,
    flows: READ_HEAVY_FLOWS,
  },
  {
    name: 'write-heavy',
    title: 'Write-heavy (90 % writes)',
    description:
      '100 connections for 60 s, closed loop. 90 % writes: each flow creates a user, updates it and deletes it (30 % each); 10 % point reads of existing users.',
    original: '`make loadtest-write` (100 users: create → update → delete, with 404 counted as success).',
    ...STEADY,
    connections: 100,
    duration_s: 60,
    flows: [
      { weight: 9, steps: ['user.create', 'user.update', 'user.delete'] },
      { weight: 3, steps: ['user.get'] },
    ],
  },
  {
    name: 'crud',
    title: 'CRUD life cycle',
    description:
      "1,000 connections for 60 s, closed loop. Every connection repeats a user's whole life: create → read → update → list → delete (20 % each); every step must succeed, a 404 is an error.",
    original: '`make loadtest-crud` (1,000 users; it accepted 404 for read, update and delete and sent JSON keys the server ignored).',
    ...STEADY,
    connections: 1000,
    duration_s: 60,
    flows: CRUD_FLOW,
  },
  {
    name: 'stress',
    title: 'Stress (stepped)',
    description:
      'Four 30 s steps at 50, 125, 250 and 500 connections (120 s), closed loop, read-heavy mix (70 % reads by id, 10 % lists, 10 % creates, 10 % updates). Shows where throughput stops growing and latency starts to.',
    original: '`make loadtest-stress` (500 users, 120 s; the stress profile was ignored and it ran the create ramp).',
    model: 'closed',
    connections: 500,
    duration_s: 120,
    rate: null,
    phases: [
      { label: '10 %', connections: 0.1, duration: 0.25 },
      { label: '25 %', connections: 0.25, duration: 0.25 },
      { label: '50 %', connections: 0.5, duration: 0.25 },
      { label: '100 %', connections: 1, duration: 0.25 },
    ],
    flows: READ_HEAVY_FLOWS,
    needs: 'users',
  },
  {
    name: 'spike',
    title: 'Spike',
    description:
      '20 s at 30 connections, then 20 s at 300, then 20 s back at 30 (60 s), closed loop, standard mix. Shows how latency jumps when load arrives at once and whether it recovers.',
    original: '`make loadtest-spike` (300 users, 60 s; the spike profile was ignored).',
    model: 'closed',
    connections: 300,
    duration_s: 60,
    rate: null,
    phases: [
      { label: 'before', connections: 0.1, duration: 1 / 3 },
      { label: 'spike', connections: 1, duration: 1 / 3 },
      { label: 'after', connections: 0.1, duration: 1 / 3 },
    ],
    flows: STANDARD_FLOWS,
    needs: 'users',
  },
  {
    name: 'soak',
    title: 'Soak',
    description:
      '50 connections paced to 500 req/s in total for 300 s, read-heavy mix. A steady, moderate load held long enough to show drift: growing latency, leaking connections, bloating tables.',
    original: '`make loadtest-soak` (50 users, 300 s; ran the create ramp).',
    model: 'rate',
    connections: 50,
    duration_s: 300,
    rate: 500,
    phases: ONE_PHASE,
    flows: READ_HEAVY_FLOWS,
    needs: 'users',
  },
  {
    name: 'pagination',
    title: 'Pagination',
    description:
      '200 connections for 60 s, closed loop. Each flow reads the newest page of users and follows `next_cursor` three more pages (limit 20). Keyset pagination across all shards: page 4 should cost what page 1 costs.',
    original: '`make loadtest-pagination` (200 users, offsets 0/20/40/60 with OFFSET queries).',
    ...STEADY,
    connections: 200,
    duration_s: 60,
    flows: [{ weight: 1, steps: ['user.list', 'user.next-page', 'user.next-page', 'user.next-page'] }],
  },
  {
    name: '10k',
    title: '10,000 connections',
    description:
      '10,000 open connections paced to 2,000 requests/s in total (each connection sends one request every 5 s) for 60 s; 80 % point reads of existing users, 10 % creates, 10 % updates. The shape of the original\'s headline ("10,000 users, ~2,100 req/s, 100 % success"); RATE=10000 offers the 1 request/s per user of its ARCHITECTURE scenario 4.',
    original: "`make loadtest-10k` (10,000 users, 60 s) and the README's headline; ARCHITECTURE scenario 4 is 10,000 users at 1 req/s, 80/20 read/write.",
    model: 'rate',
    connections: 10_000,
    duration_s: 60,
    rate: 2_000,
    phases: ONE_PHASE,
    flows: [
      { weight: 80, steps: ['user.get'] },
      { weight: 10, steps: ['user.create'] },
      { weight: 10, steps: ['user.update'] },
    ],
    needs: 'users',
  },
  {
    name: 'messages-send',
    title: 'Messenger: send',
    description:
      "100 connections for 60 s, closed loop. Members post messages into 50 conversations (each on its conversation's shard): 90 % sends, 10 % reads of a conversation's latest messages.",
    ...MESSENGER,
    flows: [
      { weight: 9, steps: ['conversation.send'] },
      { weight: 1, steps: ['conversation.messages'] },
    ],
  },
  {
    name: 'messages-read',
    title: 'Messenger: read',
    description: "100 connections for 60 s, closed loop, over 50 conversations: 90 % reads of a conversation's latest messages, 10 % sends.",
    ...MESSENGER,
    flows: [
      { weight: 9, steps: ['conversation.messages'] },
      { weight: 1, steps: ['conversation.send'] },
    ],
  },
  {
    name: 'hot-conversation',
    title: 'Messenger: one hot conversation',
    description:
      '100 connections for 60 s, closed loop, all in ONE conversation: 50 % sends, 50 % reads of its latest messages. Every request lands on the same shard — the hot-key problem that sharding by conversation cannot spread.',
    ...MESSENGER,
    flows: [
      { weight: 1, steps: ['hot.send'] },
      { weight: 1, steps: ['hot.messages'] },
    ],
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** The share of each operation that the flows produce (what a run must measure, up to sampling noise). */
export function opShares(flows: readonly Flow[]): Partial<Record<OpName, number>> {
  const counts: Partial<Record<OpName, number>> = {};
  let total = 0;
  for (const f of flows) {
    for (const op of f.steps) {
      counts[op] = (counts[op] ?? 0) + f.weight;
      total += f.weight;
    }
  }
  for (const op of Object.keys(counts) as OpName[]) counts[op] = counts[op]! / total;
  return counts;
}
