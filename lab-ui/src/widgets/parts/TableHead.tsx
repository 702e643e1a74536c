/** A column of a table head: its label, or the label with `num` (right-aligned numbers) and a title. */
export type Column = string | { label: string; num?: boolean; title?: string };

/** One header row of column headers, numeric ones right-aligned as their cells are. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => {
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={col.label} scope="col" className={col.num ? 'num' : undefined} title={col.title}>
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
