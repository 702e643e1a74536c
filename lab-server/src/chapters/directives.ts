/**
 * The directives a chapter's Markdown may use. Shared by the server (which validates chapter files) and the
 * browser (which renders them), so this file must stay free of Node imports.
 *
 *   ::ring{vnodes=150}              a widget, on its own line
 *   :::exercise{id=smallest-shard}  an exercise declared in the front matter; the text inside is its task
 *   :::note / :::tip / :::warning   a call-out box
 */
export const WIDGETS = [
  'topology',
  'ring',
  'shard-stats',
  'create-user',
  'loadtest',
  'migrations',
  'migration-drill',
  'metrics',
  'sql',
  'terminal',
  'claims',
  'paths',
  'partitions',
  'pruning',
  'months',
  'tracer',
  'uuid',
  'key-fate',
  'id-locality',
  'paging',
  'shard-advice',
  'knobs',
  'foreign-keys',
  'messenger',
  'reference-race',
  'reads',
  'cache',
  'pooling',
  'outbox',
  'constraint-explorer',
  'schema-changes',
  'schema-drift',
  'top-statements',
  'durability',
  'drill-timeline',
  'rename-drill',
  'claim-walkthrough',
  'ladder',
  'scenario-four',
  'predictions',
  'starvation',
  'breakdown',
  'connection-memory',
  'query-shapes',
  'connection-budget',
] as const;
export type WidgetName = (typeof WIDGETS)[number];

export const CALLOUTS = ['note', 'tip', 'warning'] as const;
export const EXERCISE = 'exercise';

export interface DirectiveUse {
  name: string;
  /** 2 colons: a leaf (widget); 3 or more: a container. */
  container: boolean;
  attributes: Record<string, string>;
  line: number;
}

const OPEN = /^(:{2,})([a-z][\w-]*)(?:\[[^\]]*\])?(?:\{([^}]*)\})?\s*$/;
const ATTR = /([#.]?)([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?/g;

/** Every directive opened in a chapter body (outside fenced code), with its attributes. */
export function scanDirectives(markdown: string): DirectiveUse[] {
  const uses: DirectiveUse[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const f = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (f) {
      if (fence === null) fence = f;
      else if (f.startsWith(fence)) fence = null;
      return;
    }
    if (fence !== null) return;
    const m = OPEN.exec(line);
    if (!m) return;
    uses.push({ name: m[2]!, container: m[1]!.length > 2, attributes: parseAttributes(m[3] ?? ''), line: i + 1 });
  });
  return uses;
}

function parseAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(ATTR)) {
    const [, prefix, key, dq, sq, bare] = m;
    if (prefix === '#') attrs.id = key!;
    else if (prefix === '.') attrs.class = [attrs.class, key].filter(Boolean).join(' ');
    else attrs[key!] = dq ?? sq ?? bare ?? '';
  }
  return attrs;
}
