import type { ReactNode } from 'react';

/** The lab's compact table in its scrolling wrapper: column headings, then the rows the caller renders. */
export function CompactTable({ head, children, label, className }: { head: ReactNode[]; children: ReactNode; label?: string; className?: string }) {
  return (
    <div className="table-wrap">
      <table className={className ? `compact ${className}` : 'compact'} aria-label={label}>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th scope="col" key={i}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
