const PG_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * PostgreSQL's text form of a UTC timestamptz ("2026-11-25 14:13:00.123+00") as RFC 3339
 * ("2026-11-25T14:13:00.123Z"), keeping microseconds when there are any.
 */
export function toIso(pgText: string): string {
  const m = PG_UTC.exec(pgText);
  if (!m) throw new Error(`unexpected timestamp text '${pgText}' (is the session TimeZone UTC?)`);
  const frac = (m[3] ?? '').padEnd(6, '0');
  const shown = frac.endsWith('000') ? frac.slice(0, 3) : frac;
  return `${m[1]}T${m[2]}.${shown}Z`;
}

/** Fixed-width form (always 6 fractional digits), so that string order is time order. */
export function toSortable(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an RFC 3339 UTC timestamp: '${iso}'`);
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}Z`;
}
