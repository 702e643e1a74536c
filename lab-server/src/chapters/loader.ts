import fsp from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { CALLOUTS, EXERCISE, scanDirectives, WIDGETS } from './directives.js';
import { FrontMatterSchema, PathsFileSchema, type FrontMatter, type PathsFile } from './schema.js';

export interface Chapter extends FrontMatter {
  file: string;
  /** Markdown after the front matter. */
  body: string;
}

export interface ChapterLibrary {
  chapters: Chapter[];
  paths: PathsFile['paths'];
  upcoming: PathsFile['upcoming'];
  /** Files that could not be loaded, with the reason; the other chapters still load. */
  errors: { file: string; message: string }[];
}

export const PATHS_FILE = 'paths.yaml';

/** A parsed chapter file (or why it failed), kept while the file's modification time and size stay the same. */
const parsed = new Map<string, { stamp: string; chapter: Chapter } | { stamp: string; error: string }>();

/** A chapter file parsed once per version of it: parsing all of them costs hundreds of ms, and a page asks thrice. */
async function readChapter(dir: string, file: string): Promise<Chapter> {
  const full = path.join(dir, file);
  const stat = await fsp.stat(full);
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  let entry = parsed.get(full);
  if (entry?.stamp !== stamp) {
    try {
      entry = { stamp, chapter: parseChapter(file, await fsp.readFile(full, 'utf8')) };
    } catch (err) {
      entry = { stamp, error: err instanceof Error ? err.message : String(err) };
    }
    parsed.set(full, entry);
  }
  if ('error' in entry) throw new Error(entry.error);
  return entry.chapter;
}

/**
 * Reads every `*.md` chapter and `paths.yaml` from `dir`, validating each. A file is parsed again whenever it
 * changes on disk, so an author editing a chapter sees the change on the next page load without restarting the lab.
 */
export async function loadChapters(dir: string): Promise<ChapterLibrary> {
  const errors: ChapterLibrary['errors'] = [];
  const files = (await fsp.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.md')).sort();
  const chapters: Chapter[] = [];
  for (const file of files) {
    try {
      chapters.push(await readChapter(dir, file));
    } catch (err) {
      errors.push({ file, message: err instanceof Error ? err.message : String(err) });
    }
  }
  for (const [id, same] of groupBy(chapters, (c) => c.id)) {
    if (same.length > 1) errors.push({ file: same.map((c) => c.file).join(', '), message: `two chapters have the id '${id}'` });
  }
  let paths: PathsFile = { paths: [], upcoming: {} };
  try {
    const text = await fsp.readFile(path.join(dir, PATHS_FILE), 'utf8').catch(() => null);
    if (text !== null) paths = validate(PathsFileSchema, YAML.parse(text), PATHS_FILE);
  } catch (err) {
    errors.push({ file: PATHS_FILE, message: err instanceof Error ? err.message : String(err) });
  }
  chapters.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  return { chapters, paths: paths.paths, upcoming: paths.upcoming, errors };
}

/** Front matter between `---` lines, then Markdown; the directives in the body must match the front matter. */
export function parseChapter(file: string, text: string): Chapter {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) throw new Error('a chapter starts with YAML front matter between two --- lines');
  const front = validate(FrontMatterSchema, YAML.parse(m[1]!), 'front matter');
  const body = m[2]!;
  checkDirectives(front, body);
  return { ...front, file, body };
}

function checkDirectives(front: FrontMatter, body: string): void {
  const problems: string[] = [];
  const placed = new Map<string, number>();
  for (const d of scanDirectives(body)) {
    const at = `line ${d.line}`;
    if (d.name === EXERCISE) {
      if (!d.container) problems.push(`${at}: write an exercise as a container, :::exercise{id=…} … :::`);
      const id = d.attributes.id;
      if (!id) problems.push(`${at}: :::exercise needs an id`);
      else if (!front.exercises.some((e) => e.id === id)) problems.push(`${at}: exercise '${id}' is not declared in the front matter`);
      else placed.set(id, (placed.get(id) ?? 0) + 1);
    } else if ((CALLOUTS as readonly string[]).includes(d.name)) {
      if (!d.container) problems.push(`${at}: write a ${d.name} as a container, :::${d.name} … :::`);
    } else if (!(WIDGETS as readonly string[]).includes(d.name)) {
      problems.push(`${at}: unknown directive '${d.name}' (widgets: ${WIDGETS.join(', ')})`);
    } else if (d.name === 'claims' && !front.claims?.length) {
      problems.push(`${at}: ::claims needs a claims list in the front matter`);
    }
  }
  for (const e of front.exercises) {
    const n = placed.get(e.id) ?? 0;
    if (n !== 1) problems.push(`exercise '${e.id}' must appear exactly once in the text (found ${n})`);
  }
  for (const [id, same] of groupBy(front.exercises, (e) => e.id)) if (same.length > 1) problems.push(`two exercises have the id '${id}'`);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new Error(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}
