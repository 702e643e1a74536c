import { lazy, Suspense, type ComponentType } from 'react';
import type { WidgetName } from '../../../lab-server/src/chapters/directives';
import { Claims } from './Claims';
import { CreateUser } from './CreateUser';
import { MigrationDrill } from './MigrationDrill';
import Knobs from './Knobs';
import { ForeignKeys } from './ForeignKeys';
import { Messenger } from './Messenger';
import { ReferenceRace } from './ReferenceRace';
import { Outbox } from './Outbox';
import { ConstraintExplorer } from './ConstraintExplorer';
import { Migrations } from './Migrations';
import { Partitions } from './Partitions';
import { MonthlyPartitions } from './MonthlyPartitions';
import { Paths } from './Paths';
import { Pruning } from './Pruning';
import { Ring } from './Ring';
import { SchemaChanges } from './SchemaChanges';
import { SchemaDrift } from './SchemaDrift';
import { ShardStats } from './ShardStats';
import { Sql } from './Sql';
import { UuidAnatomyWidget } from './UuidAnatomy';
import { KeyFateWidget } from './KeyFate';
import { IdLocalityWidget } from './IdLocality';
import { DrillTimeline } from './DrillTimeline';
import { RenameDrill } from './RenameDrill';
import { ClaimWalkthrough } from './ClaimWalkthrough';
import { PagingWidget } from './Paging';
import { ShardAdviceWidget } from './ShardAdvice';
import { ScenarioFour } from './ScenarioFour';

export type WidgetProps = { attrs: Record<string, string> };

/** Widgets with heavy libraries (Mermaid, xterm.js, uPlot) load when a chapter first shows one. */
const WIDGETS: Record<WidgetName, ComponentType<WidgetProps>> = {
  topology: lazy(() => import('./Topology')),
  terminal: lazy(() => import('./Terminal')),
  loadtest: lazy(() => import('./LoadTest')),
  metrics: lazy(() => import('./Metrics')),
  tracer: lazy(() => import('./Tracer')),
  uuid: UuidAnatomyWidget,
  'key-fate': KeyFateWidget,
  'id-locality': IdLocalityWidget,
  paging: PagingWidget,
  'shard-advice': ShardAdviceWidget,
  reads: lazy(() => import('./Reads')),
  cache: lazy(() => import('./Cache')),
  pooling: lazy(() => import('./Pooling')),
  ladder: lazy(() => import('./Ladder')),
  'top-statements': lazy(() => import('./TopStatements')),
  durability: lazy(() => import('./Durability')),
  predictions: lazy(() => import('./Predictions')),
  starvation: lazy(() => import('./Starvation')),
  breakdown: lazy(() => import('./Breakdown')),
  'connection-memory': lazy(() => import('./ConnectionMemory')),
  'query-shapes': lazy(() => import('./QueryShapes')),
  'connection-budget': lazy(() => import('./ConnectionBudget')),
  ring: Ring,
  'shard-stats': ShardStats,
  'create-user': CreateUser,
  migrations: Migrations,
  'migration-drill': MigrationDrill,
  sql: Sql,
  claims: Claims,
  paths: Paths,
  partitions: Partitions,
  pruning: Pruning,
  months: MonthlyPartitions,
  knobs: Knobs,
  'foreign-keys': ForeignKeys,
  messenger: Messenger,
  'reference-race': ReferenceRace,
  outbox: Outbox,
  'constraint-explorer': ConstraintExplorer,
  'schema-changes': SchemaChanges,
  'schema-drift': SchemaDrift,
  'drill-timeline': DrillTimeline,
  'rename-drill': RenameDrill,
  'claim-walkthrough': ClaimWalkthrough,
  'scenario-four': ScenarioFour,
};

export function Widget({ name, attrs }: { name: string; attrs: Record<string, string> }) {
  const Component = WIDGETS[name as WidgetName];
  if (!Component) return <p className="error">Unknown widget “{name}”.</p>;
  return (
    <div className="widget" data-widget={name}>
      <Suspense fallback={<div className="panel panel-loading">Loading {name}…</div>}>
        <Component attrs={attrs} />
      </Suspense>
    </div>
  );
}
