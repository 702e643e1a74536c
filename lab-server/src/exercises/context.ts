import type { SelfClient } from '../net/self-client.js';
import type { Lab } from '../lab/lab.js';

/** The parts of the running lab that checks, actions and progress read: the cluster, the ring, jobs, users, events, the topology. */
export type ExerciseLab = Pick<Lab, 'cluster' | 'config' | 'jobs' | 'ring' | 'users' | 'events' | 'topology' | 'migrationDrill' | 'starts'>;

/** What a check or an action may use: those parts of the running lab, and its own HTTP API. */
export interface ExerciseContext {
  lab: ExerciseLab;
  api: SelfClient;
}

/** What a learner types or picks: a shard name or a number. */
export type Answer = string | number;
