import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresBinaries } from './binaries.js';
import { giveNewSystemIdentifier } from './system-identifier.js';

const run = promisify(execFile);

/** Templates this process has made or is making, so servers started together run initdb once between them. */
const making = new Map<string, Promise<string>>();

/**
 * An initialised, never started data directory under `root`, made once per PostgreSQL version and copied for
 * each new server: initdb takes 1–4 s on a laptop, a copy of its 39 MB about 0.1 s. Several processes may share
 * `root` (the tests do): each makes its copy aside and renames it into place, and a loser of that race uses the
 * winner's.
 */
export async function initdbTemplate(root: string, initdb: (dataDir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, await versionTag());
  let pending = making.get(dir);
  if (!pending) {
    pending = make(dir, initdb);
    making.set(dir, pending);
    pending.catch(() => making.delete(dir));
  }
  return pending;
}

/**
 * Copies the template to `dataDir`, which must not exist; ownership and modes are kept (`cp -a`). The copy gets a
 * system identifier of its own, as a server initdb'd by itself would have.
 */
export async function copyTemplate(template: string, dataDir: string): Promise<void> {
  await run('cp', ['-a', template, dataDir]);
  await giveNewSystemIdentifier(dataDir);
}

async function make(dir: string, initdb: (dataDir: string) => Promise<void>): Promise<string> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
  await fsp.mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  const aside = `${dir}.making-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await initdb(aside);
    await fsp.rename(aside, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw err;
    });
  } finally {
    await fsp.rm(aside, { recursive: true, force: true });
  }
  return dir;
}

let tag: Promise<string> | null = null;

/** `initdb (PostgreSQL) 17.2` → `pg-17.2`, asked once per process: a template never outlives the binaries that made it. */
function versionTag(): Promise<string> {
  tag ??= postgresBinaries()
    .then(({ initdb }) => run(initdb, ['--version']))
    .then(
      ({ stdout }) =>
        `pg-${
          stdout
            .trim()
            .split(' ')
            .pop()
            ?.replace(/[^\w.]/g, '') || 'unknown'
        }`,
    );
  tag.catch(() => {
    tag = null;
  });
  return tag;
}
