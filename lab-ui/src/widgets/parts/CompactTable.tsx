import type { ReactNode } from 'react';
import { type Column, TableHead } from './TableHead';

/** The lab's compact table in its scrolling wrapper: column headings, then the rows the caller renders. */
export function CompactTable({ head, children, label, className }: { head: Column[]; children: ReactNode; label?: string; className?: string }) {
  return (
    <div className="table-wrap">
      <table className={className ? `compact ${className}` : 'compact'} aria-label={label}>
        <TableHead columns={head} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
