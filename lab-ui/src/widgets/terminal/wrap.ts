// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour escapes are what it measures around
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, '').length;

/**
 * Wraps the lab's output to the terminal's width at spaces, so `help` and long messages never break inside a
 * word. A continued line is indented to its own text column: under the summary for a `usage  summary` row,
 * under the first word otherwise. Tables (`|` columns) are left whole: a table is read across, not down.
 */
export function wrapToColumns(text: string, cols: number): string {
  if (cols < 20) return text;
  return text
    .split('\n')
    .map((line) => (visible(line) <= cols || line.includes(' | ') ? line : wrapLine(line, cols)))
    .join('\n');
}

function wrapLine(line: string, cols: number): string {
  const plain = line.replace(ANSI, '');
  const lead = /^ */.exec(plain)![0].length;
  // A `usage  summary` row: the summary's column, when it leaves room to read.
  const gap = /\S {2,}(?=\S)/.exec(plain.slice(lead));
  const column = gap ? lead + gap.index + gap[0].length : lead;
  const indent = column <= cols / 2 ? column : lead;
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (visible(rest) > cols - (first ? 0 : indent)) {
    const room = cols - (first ? 0 : indent);
    const cut = breakAt(rest, room);
    out.push((first ? '' : ' '.repeat(indent)) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    first = false;
  }
  out.push((first ? '' : ' '.repeat(indent)) + rest);
  return out.join('\n');
}

/** The index in `s` (escapes included) of the last space before `room` visible characters, or a hard cut there. */
function breakAt(s: string, room: number): number {
  let seen = 0;
  let lastSpace = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\x1b') {
      const end = s.indexOf('m', i);
      if (end > 0) {
        i = end;
        continue;
      }
    }
    if (s[i] === ' ') lastSpace = i;
    if (seen === room) return lastSpace > 0 ? lastSpace : i;
    seen++;
  }
  return s.length;
}
