import { ClusterError } from '../cluster/errors.js';
import { ConfigError } from '../config.js';
import { clusterCommand, resetCommand } from './cluster-command.js';
import { dbShellCommand } from './db-shell.js';
import { healthCommand, jobsCommand, routeCommand } from './inspect.js';
import { ringCommand } from './ring.js';
import { shardsCommand } from './shards.js';
import { loadtestCommand } from './loadtest.js';
import { migrateCommand } from './migrate.js';
import { CliError } from './output.js';
import { seedCommand } from './seed.js';

const HELP = `Shard Lab CLI — npm run lab -- <command>

  migrate status|up|down|latest   migrations on every shard (make migrate-up, …)
  migrate make NAME               new SQL migration in migrations/
  seed --users N [--conversations N --messages N]
                                  load generated users, conversations, messages (needs a running lab)
  shards                          users per shard (make shards)
  shards plan [--remove NAME]     what adding (or removing) a shard would move
  shards add [--faithful] [--url URL] [--pause-before STEP,…]
                                  add a shard online (or as the original did: move nothing); Ctrl-C cancels;
                                  --pause-before holds before provision, copy, verify or cleanup
  shards remove NAME [--faithful] [--pause-before STEP,…]
                                  drain a shard into the others, then stop it
  shards kill|start|pause|resume NAME   fault injection on a shard's server
  shards replica NAME             add a streaming replica to a shard
  shards promote NAME             make its replica the primary (switchover, or failover if the primary is down)
  ring                            every ring version, newest last
  health                          shard health (make health)
  route KEY                       which shard owns a user id, and why
  jobs [ID]                       long-running jobs, or one in full
  jobs cancel|continue ID         cancel a job (it rolls back), or let one held by --pause-before go on
  loadtest SCENARIO [--connections N] [--duration S] [--rate R] [--warmup S]
                                  run a load test in the lab, with live progress (make loadtest-read, …)
  loadtest scenarios|list|show ID|compare A B
                                  scenario definitions, run history, one run, two runs side by side
  db-shell [N]                    SQL prompt on shard N (make db-shell SHARD=N)
  cluster up|down|status          the shards alone, in the background (make up / make down)
  reset                           stop everything and delete the data directory (make reset)`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  migrate: migrateCommand,
  seed: seedCommand,
  shards: shardsCommand,
  health: healthCommand,
  route: routeCommand,
  jobs: jobsCommand,
  ring: ringCommand,
  loadtest: loadtestCommand,
  'db-shell': dbShellCommand,
  cluster: clusterCommand,
  reset: resetCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(HELP);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command '${name}'.\n\n${HELP}`);
  await command(args);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CliError) {
      if (err.message) console.error(err.message);
      process.exit(err.exitCode);
    }
    if (err instanceof ClusterError || err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    console.error(err);
    process.exit(1);
  },
);
