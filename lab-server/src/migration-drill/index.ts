// The Migrations chapter's drills (schema `lab_drill` on every shard): failures, crashes, locks and the lock queue.
export { MigrationDrill } from './drill.js';
export { DDL_CHANGES, type DdlChange, type DdlReport } from './ddl-blocking.js';
export type { DriftDifference, DriftReport } from './drift.js';
export type { LockQueueReport } from './lock-queue.js';
export type { CrashReport, RunPhase, DrillMode, DrillRunReport, DrillStatus, ProbeReport } from './types.js';
export type { ApiClient, AppRequestsReport } from './app-requests.js';
export type { RenameMode, RenameReport } from './rename.js';
