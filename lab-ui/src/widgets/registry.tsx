import { lazy, Suspense, type ComponentType } from 'react';
import type { WidgetName } from '../../../lab-server/src/chapters/directives';
import { Claims } from './Claims';
import { CreateUser } from './CreateUser';
import { Migrations } from './Migrations';
import { Paths } from './Paths';
import { Ring } from './Ring';
import { ShardStats } from './ShardStats';
import { Sql } from './Sql';

export type WidgetProps = { attrs: Record<string, string> };

/** Widgets with heavy libraries (Mermaid, xterm.js, uPlot) load when a chapter first shows one. */
const WIDGETS: Record<WidgetName, ComponentType<WidgetProps>> = {
  topology: lazy(() => import('./Topology')),
  terminal: lazy(() => import('./Terminal')),
  loadtest: lazy(() => import('./LoadTest')),
  metrics: lazy(() => import('./Metrics')),
  reads: lazy(() => import('./Reads')),
  pooling: lazy(() => import('./Pooling')),
  ring: Ring,
  'shard-stats': ShardStats,
  'create-user': CreateUser,
  migrations: Migrations,
  sql: Sql,
  claims: Claims,
  paths: Paths,
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
