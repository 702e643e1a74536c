/**
 * The JSON the lab sends, as its OpenAPI document declares it: `generated/api.ts` is generated from the
 * server's route schemas (`make openapi`), so these names cannot drift from what the server answers.
 */
import type { components, paths } from './generated/api';

type Schemas = components['schemas'];

export type Chapter = Schemas['Chapter'];
export type ChapterIndex = Schemas['ChapterIndex'];
export type Claim = Schemas['Claim'];
export type Measurement = Schemas['Measurement'];
export type ExerciseProgress = Schemas['ExerciseProgress'];
export type ExerciseView = Schemas['ExerciseView'];
export type JobView = Schemas['Job'];
export type Knob = Schemas['Knob'];
export type LoadSummary = Schemas['LoadSummary'];
export type LoadTestRun = Schemas['LoadTestRun'];
export type MetricsTick = Schemas['MetricsTick'];
export type PartitionBuild = Schemas['PartitionBuild'];
export type MonthlyReport = Schemas['MonthlyReport'];
export type RetireReport = Schemas['RetireReport'];
export type StartupReplay = Schemas['StartupReplay'];
export type PartitionReport = Schemas['PartitionReport'];
export type PlacementReport = Schemas['PlacementReport'];
export type PlanTouch = Schemas['PlanTouch'];
export type PruningReport = Schemas['PruningReport'];
export type PromotionReport = Schemas['PromotionReport'];
export type RingView = Schemas['RingView'];
export type PoolingClients = Schemas['PoolingClients'];
export type PoolingDemo = Schemas['PoolingDemo'];
export type PoolingStatus = Schemas['PoolingStatus'];
export type PoolingStatements = Schemas['PoolingStatements'];
export type CacheStatus = Schemas['CacheStatus'];
export type CacheTrial = Schemas['CacheTrial'];
export type Reads = Schemas['Reads'];
export type ReadTrial = Schemas['ReadTrial'];
export type ReadLoadTrial = Schemas['ReadLoadTrial'];
export type Route = Schemas['Route'];
export type Scenario = Schemas['Scenario'];
export type ShardInfo = Schemas['ShardInfo'];
export type ShardStats = Schemas['ShardStats'];
export type SqlRun = Schemas['SqlRun'];
export type StepReport = Schemas['StepReport'];
export type StartState = Schemas['StartState'];
export type Topology = Schemas['Topology'];
export type IdAnatomy = Schemas['IdAnatomy'];
export type KeyFate = Schemas['KeyFate'];
export type IdLocality = Schemas['IdLocality'];
export type PagingReport = Schemas['PagingReport'];
export type ShardAdvice = Schemas['ShardAdvice'];
export type ScenarioRun = Schemas['ScenarioRun'];
export type Trace = Schemas['Trace'];
export type TraceList = Schemas['TraceList'];
export type TracedRequest = Schemas['TracedRequest'];
export type TraceSampling = Schemas['TraceSampling'];

type Method = 'get' | 'put' | 'post' | 'delete';

/** The JSON body an operation answers with `status`, e.g. `Body<'/lab/v1/jobs/{id}', 'get'>`. */
export type Body<P extends keyof paths, M extends Method, S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
}
  ? B
  : never;
export type Ladder = Schemas['Ladder'];
export type CpuSplit = Schemas['CpuSplit'];
