import type { ExerciseContext } from '../context.js';

/** For tests of checks that must not need a cluster: any use of it throws, so such a test proves they did not. */
export const noCluster: ExerciseContext = new Proxy({} as ExerciseContext, {
  get(_target, prop) {
    throw new Error(`the check read ctx.${String(prop)}, but it should need no cluster`);
  },
});
