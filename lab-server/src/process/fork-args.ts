import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Node flags for a child process that runs one of our modules. The lab runs its TypeScript directly (tsx);
 * a forked child (load generator, prefork worker) needs the same loader, whatever started the parent
 * (tsx CLI, `node --import tsx`, Vitest).
 */
export function execArgvFor(entry: string): string[] {
  if (!entry.endsWith('.ts')) return [];
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}
