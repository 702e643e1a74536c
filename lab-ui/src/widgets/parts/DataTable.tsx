import type { ReactNode } from 'react';

/** A compact table that scrolls sideways on a narrow screen: column headings, then the rows given as children. */
export function DataTable({
  label,
  columns,
  className = 'compact',
  children,
}: {
  label: string;
  columns: readonly string[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className} aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
