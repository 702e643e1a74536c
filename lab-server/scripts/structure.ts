/**
 * The folders of lab-server/src and which import which, read from the code's own relative imports (tests and
 * generated code left out). `npm run structure` prints the folder pairs that import each other and the domain
 * folders that import the HTTP layer; test/structure.test.ts keeps both lists from growing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** Top-level folder (or root file) → the files in it that import each other folder. */
export function folderImports(src = SRC): Map<string, Map<string, Set<string>>> {
  const edges = new Map<string, Map<string, Set<string>>>();
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'generated' ? [] : walk(p);
      return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !p.includes(`${path.sep}testing${path.sep}`) ? [p] : [];
    });
  for (const file of walk(src)) {
    const from = path.relative(src, file).split(path.sep)[0]!;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = path.relative(src, path.resolve(path.dirname(file), m[1]!)).split(path.sep)[0]!;
      if (to === from || to.startsWith('..')) continue;
      const targets = edges.get(from) ?? new Map<string, Set<string>>();
      edges.set(from, targets);
      const files = targets.get(to) ?? new Set<string>();
      targets.set(to, files);
      files.add(path.relative(src, file));
    }
  }
  return edges;
}

const bare = (name: string) => name.replace(/\.ts$/, '');

/** Pairs of folders that import each other, each as "a <-> b" with a < b. */
export function folderCycles(edges = folderImports()): string[] {
  const out: string[] = [];
  for (const [a, targets] of edges) for (const b of targets.keys()) if (a < b && edges.get(b)?.has(a)) out.push(`${bare(a)} <-> ${bare(b)}`);
  return out.sort();
}

/** Folders other than the HTTP layer and the composition root that import `http/`. */
export function httpImporters(edges = folderImports(), allowed: readonly string[] = ['http', 'server', 'main.ts']): string[] {
  return [...edges]
    .filter(([from, targets]) => targets.has('http') && !allowed.includes(from))
    .map(([from]) => from)
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const edges = folderImports();
  console.log('Folders that import each other:');
  for (const c of folderCycles(edges)) console.log(`  ${c}`);
  console.log('Domain folders that import http/:');
  for (const f of httpImporters(edges)) console.log(`  ${bare(f)}: ${[...edges.get(f)!.get('http')!].join(', ')}`);
}
