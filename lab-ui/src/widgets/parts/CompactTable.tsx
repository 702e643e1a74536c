import type { ReactNode } from 'react';
import { type Column, TableHead } from './TableHead';

interface TableProps {
  head: Column[];
  children: ReactNode;
  /** The table's accessible name, when no caption gives it. */
  label?: string;
  /** A caption for screen readers only. */
  hiddenCaption?: string;
  className?: string;
}

/** A table in its scrolling wrapper: column headings, then the rows the caller renders. */
export function Table({ head, children, label, hiddenCaption, className }: TableProps) {
  return (
    <div className="table-wrap">
      <table className={className} aria-label={label}>
        {hiddenCaption && <caption className="sr-only">{hiddenCaption}</caption>}
        <TableHead columns={head} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The lab's compact table (tighter cells) in its scrolling wrapper. */
export function CompactTable({ className, ...rest }: TableProps) {
  return <Table className={className ? `compact ${className}` : 'compact'} {...rest} />;
}
