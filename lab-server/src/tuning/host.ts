import { ConflictError } from '../domain/errors.js';
import { Lab } from '../lab/lab.js';
import type { KnobHost } from './knobs.js';

/** The knob panel's view of the running lab: its settings, its shards, and the load test that marks changes. */
export function knobHost(lab: Pick<Lab, 'settings' | 'config' | 'cluster' | 'preforkWorkers' | 'setWorkers' | 'loadtests' | 'updateSettings'>): KnobHost {
  return {
    settings: () => lab.settings.get(),
    defaults: () => Lab.defaultSettings(lab.config),
    update: (patch) => lab.updateSettings(patch),
    shards: () => lab.cluster.shards.map((s) => ({ name: s.name, pool: lab.cluster.pools.admin(s) })),
    get workers() {
      return lab.preforkWorkers;
    },
    defaultWorkers: lab.config.workers,
    setWorkers: async (count) => {
      if (!lab.setWorkers) throw new ConflictError('not_available', 'This process does not own the public port, so it cannot change the workers.');
      await lab.setWorkers(count);
    },
    changed: (name, value) => void lab.loadtests.mark('knob', `${name} → ${value}`),
    changing: (name, value) => lab.loadtests.mark('knob', `${name} → ${value}`),
  };
}
