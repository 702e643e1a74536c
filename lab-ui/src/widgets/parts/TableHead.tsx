import type { ReactNode } from 'react';

/** A column of a table head: its label, or the label with `num` (right-aligned numbers) and a title. */
export type Column = ReactNode | { label: ReactNode; num?: boolean; title?: string };

const described = (c: Column): c is { label: ReactNode; num?: boolean; title?: string } => typeof c === 'object' && c !== null && 'label' in c;

/** One header row of column headers, numeric ones right-aligned as their cells are. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => {
          const col = described(c) ? c : { label: c };
          return (
            <th key={i} scope="col" className={col.num ? 'num' : undefined} title={col.title}>
              {col.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A numeric column. */
export const num = (label: string, title?: string): Column => ({ label, num: true, title });

/** The last column of a table whose rows hold buttons: named for screen readers only. */
export const ACTIONS: Column = <span className="sr-only">actions</span>;
