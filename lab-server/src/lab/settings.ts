import { EventEmitter } from 'node:events';
import { z } from 'zod';

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
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown setting(s): ${iss.keys.join(', ')}` : 'the body must be a JSON object') },
);
export type LabSettings = z.infer<typeof SettingsSchema>;
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
