// `make migrate` entry (node dist/db/migrate-cli.js [--database PATH] [--down] [--status] [--help]).
// Applies rawpi's migrations; see db/migrate-command.ts for the options and exit codes.
import { runMigrateCommand } from './migrate-command.js';

process.exitCode = await runMigrateCommand(process.argv.slice(2));
