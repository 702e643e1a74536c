import { pct } from '../../format';
import type { CpuSplit } from '../../types';
import { CompactTable } from './CompactTable';
import { num } from './TableHead';

const PART_TITLES: Record<CpuSplit['parts'][number]['part'], string> = {
  generator: 'load generator',
  api: 'API',
  databases: 'databases',
  other: 'other programs',
};

/**
 * Where a load test's CPU went: each part (generator, API processes, database servers, everything else on the
 * machine), the cores it kept busy against what it can use, and the part nearest its limit.
 */
export function CpuSplitTable({ cpu }: { cpu: CpuSplit }) {
  return (
    <div className="cpu-split" data-limit={cpu.limit}>
      <CompactTable
        label="CPU per part of the system during the run, measured from /proc"
        head={[
          'part',
          num('CPU s'),
          num('cores busy'),
          num('can use', 'one core per Node.js process; the machine for the databases'),
          num('of that'),
          'processes',
        ]}
      >
        {cpu.parts.map((p) => (
          <tr key={p.part} data-part={p.part} className={p.part === cpu.limit ? 'cpu-limit' : undefined}>
            <th scope="row">{PART_TITLES[p.part]}</th>
            <td className="num">{p.cpu_s.toFixed(1)}</td>
            <td className="num">{p.cores.toFixed(2)}</td>
            <td className="num">{p.capacity_cores}</td>
            <td className="num">
              <span className="cpu-bar" style={{ width: `${Math.min(100, p.utilisation * 100)}%` }} /> {pct(p.utilisation, 0)}
            </td>
            <td className="small muted">
              {p.processes.length === 0 && p.part !== 'other'
                ? 'none seen'
                : p.processes.map((x) => `${x.name} (pid ${x.pid}) ${x.cores.toFixed(2)}`).join(', ')}
            </td>
          </tr>
        ))}
      </CompactTable>
      <p className="small">
        Over {cpu.window_s.toFixed(1)} s of the run, {cpu.machine_cores} cores were {pct(cpu.machine_busy, 0)} busy. Limit: <strong>{cpu.limit}</strong> —{' '}
        {cpu.why}
      </p>
    </div>
  );
}
