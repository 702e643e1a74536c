/**
 * The JSON the lab sends, as far as the UI reads it. Shapes the lab defines in type-only or pure modules are
 * imported from there; the rest are declared here, with fields other builds may lack marked optional.
 */
import type { AnswerSpec, ExerciseProgress, ExerciseView, StepReport } from '../../lab-server/src/exercises/views';
import type { JobView } from '../../lab-server/src/jobs/registry';
import type { RingView } from '../../lab-server/src/sharding/ring-view';
import type { Route } from '../../lab-server/src/sharding/router';

export type { AnswerSpec, ExerciseProgress, ExerciseView, JobView, RingView, Route, StepReport };

export type ShardStatus = 'starting' | 'up' | 'down' | 'paused';

export interface ShardInfo {
  id: number;
  name: string;
  url: string;
  role: string;
  status: ShardStatus;
  pid: number | null;
  in_ring?: boolean;
  /** Streaming replicas (builds with LAB_REPLICAS). */
  replicas?: { name: string; status: 'up' | 'down'; state: string | null; lag_seconds: number | null; lag_bytes: number | null }[];
}

export interface Topology {
  mode: 'embedded' | 'attached' | 'external';
  shards: ShardInfo[];
  ring: { strategy: string; vnodes: number | null; version: number; shards?: string[]; shares: number[] };
}


export interface ShardStats {
  total_users: number;
  shard_count: number;
  shards: { shard_id: number; shard_name: string; user_count: number | null; healthy: boolean }[];
}

export interface PlacementReport {
  ring_version: number | null;
  shards: { shard_name: string; in_ring: boolean; reachable: boolean; rows: number; misplaced: number; sample: { id: string; routes_to: string }[] }[];
  total_rows: number;
  total_misplaced: number;
}




export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** One second of the lab (the `metrics` channel). */
export interface MetricsTick {
  ts_ms: number;
  api: { requests_per_s: number; errors_per_s: number; client_errors_per_s?: number; in_flight?: number; latency_ms: Percentiles | null };
  shards: {
    name: string;
    status: string;
    queries_per_s: number | null;
    cache_hit_ratio: number | null;
    connections: { active: number; idle: number; total: number } | null;
    rows: Record<string, number> | null;
    pool?: { size: number; idle: number; waiting: number };
    replicas?: { name: string; state: string; lag_ms: number | null }[];
  }[];
}

export interface LoadSummary {
  duration_s?: number;
  requests: number;
  requests_per_s: number;
  latency_ms: Percentiles | null;
  errors: number;
  timeouts?: number;
  non2xx?: number;
  error_rate?: number;
  status_codes?: Record<string, number>;
}

export interface LoadTestRun {
  id: string;
  scenario?: string;
  state: 'preparing' | 'running' | 'finished' | 'failed' | 'cancelled' | string;
  params?: { scenario?: string; connections?: number; duration_s?: number };
  notes?: string[];
  progress: { elapsed_s: number; duration_s?: number; requests: number; requests_per_s: number; latency_ms: Percentiles | null; errors?: number; phase?: string | null } | null;
  summary: LoadSummary | null;
  error?: string | null;
  created_at?: string;
  timeline?: { t_s: number; requests_per_s: number; latency_ms: Percentiles | null }[];
}

export interface Scenario {
  name: string;
  title?: string;
  description?: string;
  duration_s?: number;
  connections?: number;
}




export interface Claim {
  id: string;
  claim: string;
  source: string;
  claimed: string;
  measure: { kind: string; from?: number; to?: number; users?: number; scenario?: string };
  note?: string;
}

export interface ChapterSummary {
  id: string;
  title: string;
  order: number;
  summary: string;
  original: string | null;
  exercises: number;
  passed: number;
}

export interface LearningPath {
  id: string;
  title: string;
  description: string;
  chapters: string[];
}

export interface ChapterIndex {
  chapters: ChapterSummary[];
  paths: LearningPath[];
  upcoming: Record<string, string>;
  errors: { file: string; message: string }[];
}

export interface Chapter {
  id: string;
  title: string;
  summary: string;
  original: string | null;
  body: string;
  claims: Claim[];
  exercises: ExerciseView[];
  reset_steps: string[];
  reset_missing: string[];
}

