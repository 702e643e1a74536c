import { EventEmitter } from 'node:events';
import { z } from 'zod';

const whole = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max.toLocaleString('en-US')}`);

/**
 * Run-time knobs the chapters turn (PUT /lab/v1/settings). Each feature owns its key; a change is
 * announced so the parts that depend on it can switch without a restart.
 */
export const SettingsSchema = z.strictObject(
  {
    /** Which data layer serves the messenger's repositories (the tuning chapter compares them). */
    data_layer: z.enum(['prisma', 'pg'], { error: 'data_layer must be prisma or pg' }),
    /** Where reads by id go when replicas exist. */
    read_policy: z.enum(['primary', 'replica', 'read-your-writes'], { error: 'read_policy must be primary, replica or read-your-writes' }),
    // The tuning chapter's connection knobs: each shard's pool is rebuilt with them (ShardPools.reconfigure).
    /** Connections each lab process may open to each shard. */
    pool_max: whole('pool_max', 1, 500),
    /** How long a request waits for a free pool connection before it fails (503 shard_busy). */
    pool_wait_timeout_ms: whole('pool_wait_timeout_ms', 100, 60_000),
    /** PostgreSQL cancels a request's statement after this long (0: never). */
    statement_timeout_ms: whole('statement_timeout_ms', 0, 3_600_000),
    /** PostgreSQL ends a session left idle inside a transaction this long (0: never). */
    idle_in_transaction_timeout_ms: whole('idle_in_transaction_timeout_ms', 0, 3_600_000),
    /** Named statements on the pg data layer: planned once per connection, or on every call. */
    prepared_statements: z.boolean({ error: 'prepared_statements must be true or false' }),
    /** The share of live messenger requests (no `traceparent`) the request tracer records, in percent (0: none). */
    trace_sample_percent: z
      .number({ error: 'trace_sample_percent must be a number' })
      .min(0, 'trace_sample_percent must be at least 0')
      .max(100, 'trace_sample_percent must be at most 100'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown setting(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
export type LabSettings = z.infer<typeof SettingsSchema>;
/** The settings that shape each shard's connection pool. */
export const POOL_SETTINGS = ['pool_max', 'pool_wait_timeout_ms', 'statement_timeout_ms', 'idle_in_transaction_timeout_ms'] as const;
export const SettingsPatchSchema = SettingsSchema.partial().refine((p) => Object.keys(p).length > 0, { message: 'give at least one setting' });

export interface SettingsEvents {
  change: [settings: LabSettings, changed: (keyof LabSettings)[]];
}

export class Settings extends EventEmitter<SettingsEvents> {
  private current: LabSettings;

  constructor(initial: LabSettings) {
    super();
    this.current = { ...initial };
  }

  get(): LabSettings {
    return { ...this.current };
  }

  update(patch: Partial<LabSettings>): LabSettings {
    const changed = (Object.keys(patch) as (keyof LabSettings)[]).filter((k) => patch[k] !== undefined && patch[k] !== this.current[k]);
    this.current = { ...this.current, ...patch };
    if (changed.length > 0) this.emit('change', this.get(), changed);
    return this.get();
  }
}
