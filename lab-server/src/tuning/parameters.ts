/**
 * The PostgreSQL parameters a learner may change from the lab (the tuning chapter's knobs: the original's
 * tune-postgres.sh and its legacy server flags). Only these: the console role cannot run ALTER SYSTEM, and
 * this list is what stands in for it (docs/security.md). PostgreSQL itself validates each value.
 */
export const TUNABLE_PARAMETERS = [
  'synchronous_commit',
  'work_mem',
  'maintenance_work_mem',
  'effective_cache_size',
  'random_page_cost',
  'effective_io_concurrency',
  'default_statistics_target',
  'jit',
  'max_parallel_workers_per_gather',
  'max_parallel_workers',
  'max_parallel_maintenance_workers',
  'checkpoint_completion_target',
  'checkpoint_timeout',
  'max_wal_size',
  'min_wal_size',
  'bgwriter_delay',
  'bgwriter_lru_maxpages',
  'bgwriter_lru_multiplier',
  'log_min_duration_statement',
  'log_checkpoints',
  'log_lock_waits',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_analyze_scale_factor',
  'autovacuum_naptime',
  // These two take effect only when the shard restarts; the answer says so.
  'shared_buffers',
  'max_connections',
] as const;

export type TunableParameter = (typeof TUNABLE_PARAMETERS)[number];

export function isTunable(name: string): name is TunableParameter {
  return (TUNABLE_PARAMETERS as readonly string[]).includes(name);
}
