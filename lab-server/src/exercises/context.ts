import type { SelfClient } from '../net/self-client.js';
import type { Lab } from '../lab/lab.js';

/** What a check or an action may use: the running lab, and its own HTTP API. */
export interface ExerciseContext {
  lab: Lab;
  api: SelfClient;
}

/** What a learner types or picks: a shard name or a number. */
export type Answer = string | number;
