/**
 * APIs a build may lack, each named by a request that is safe to probe (it changes nothing). Checks and
 * actions list the ones they call; the engine probes them before solving and names the missing ones.
 */
export const SHARDS_API_PROBE = 'POST /lab/v1/shards/plan';
export const LOADTESTS_API_PROBE = 'GET /lab/v1/loadtests';
