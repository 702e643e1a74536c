import type { ReactNode } from 'react';
import { type Column, TableHead } from './TableHead';

/** `data-*` attributes a test or a style reads off the table element. */
type DataAttributes = { [name: `data-${string}`]: string | number | boolean | undefined };

interface TableProps extends DataAttributes {
  head: Column[];
  children: ReactNode;
  /** The table's accessible name, when no caption gives it. */
  label?: string;
  /** A caption for screen readers only. */
  caption?: string;
  className?: string;
}

/** A table in its scrolling wrapper: column headings, then the rows the caller renders. */
export function Table({ head, children, label, caption, className, ...data }: TableProps) {
  return (
    <div className="table-wrap">
      <table className={className} aria-label={label} {...data}>
        {caption && <caption className="sr-only">{caption}</caption>}
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
