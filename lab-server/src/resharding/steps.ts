/**
 * Steps a learner can stop a shard change before (`pause_before`); the cutover itself runs inside the write
 * pause, so never holds. Free of server imports, so the browser UI offers the same list.
 */
export const RESHARD_STEPS = ['provision', 'copy', 'verify', 'cleanup'] as const;
export type ReshardStep = (typeof RESHARD_STEPS)[number] | 'cutover';
