// The Migrations chapter's drills (schema `lab_drill` on every shard): failures, crashes and locks, live.
export { MigrationDrill } from './drill.js';
export { DRILL_DIR, DRILL_SCHEMA } from './setup.js';
export { STALLED_MS, type LockQueueReport } from './lock-queue.js';
export type { CellState, CrashReport, DrillLock, DrillMode, DrillRunReport, DrillShardReport, DrillShardStatus, DrillStatus, ProbeReport } from './types.js';
