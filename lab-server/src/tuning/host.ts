import { Lab } from '../lab/lab.js';
import type { KnobHost } from './knobs.js';

/** The knob panel's view of the running lab: its settings, its shards, and the load test that marks changes. */
export function knobHost(lab: Pick<Lab, 'settings' | 'config' | 'cluster' | 'workers' | 'loadtests' | 'updateSettings'>): KnobHost {
  return {
    settings: () => lab.settings.get(),
    defaults: () => Lab.defaultSettings(lab.config),
    update: (patch) => lab.updateSettings(patch),
    shards: () => lab.cluster.shards.map((s) => ({ name: s.name, pool: lab.cluster.pools.admin(s) })),
    get workers() {
      return lab.config.workers;
    },
    changed: (name, value) => lab.loadtests.mark('knob', `${name} → ${value}`),
  };
}
