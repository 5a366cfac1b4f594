// The `migrate` command behind db/migrate-cli.ts: parses its arguments, migrates up, --down or --status.
// Returns the exit code (0 ok, 1 DatabaseError with its message only, 2 bad usage); output goes to the given streams.
import { parseArgs } from 'node:util';
import {
  DatabaseError,
  migrateDown,
  migrateToLatest,
  migrationStatus,
  openDatabase,
  resolveDatabasePath,
} from './database.js';

export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

export const USAGE = `usage: make migrate ARGS="[--database PATH] [--down] [--status]"
       node dist/db/migrate-cli.js [--database PATH] [--down] [--status]

Applies every pending rawpi migration to the database.
  --database PATH  database file or sqlite:/file: URL (default: $DATABASE_URL, else data/rawpi.sqlite);
                   --database-url PATH is the same, spelled as the server spells it
  --down           roll back the last applied migration instead
  --status         list applied and pending migrations, change nothing
  --help           show this help`;

export async function runMigrateCommand(argv: string[], io: CommandIo = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        database: { type: 'string', short: 'd' },
        'database-url': { type: 'string' },
        down: { type: 'boolean' },
        status: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.down && values.status) {
    io.stderr.write(`--down and --status do not go together\n${USAGE}\n`);
    return 2;
  }
  if (values.database !== undefined && values['database-url'] !== undefined) {
    io.stderr.write(`--database and --database-url name the same thing: give one\n${USAGE}\n`);
    return 2;
  }
  try {
    const chosen = values.database ?? values['database-url'];
    const path = resolveDatabasePath(chosen !== undefined ? { path: chosen } : {}, io.env);
    const h = openDatabase({ path });
    try {
      if (values.status) {
        const { applied, pending } = await migrationStatus(h);
        io.stdout.write(
          `${h.path}: applied ${applied.join(', ') || 'none'}; pending ${pending.join(', ') || 'none'}\n`,
        );
      } else if (values.down) {
        const name = await migrateDown(h);
        io.stdout.write(name ? `${h.path}: rolled back ${name}\n` : `${h.path}: nothing to roll back\n`);
      } else {
        const applied = await migrateToLatest(h);
        io.stdout.write(
          applied.length ? `${h.path}: applied ${applied.join(', ')}\n` : `${h.path}: already up to date\n`,
        );
      }
    } finally {
      await h.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof DatabaseError) {
      io.stderr.write(`migrate: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
