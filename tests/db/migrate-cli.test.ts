// The `make migrate` command: up, --status, --down, --help, bad options and bad files, in process;
// plus one run of the real db/migrate-cli.ts entry in a forked process for its exit code and output.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runMigrateCommand } from '../../db/migrate-command.js';
import { tempDir } from './fixtures/helpers.js';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runMigrateCommand(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

t.test('up, status, down, up via --database and DATABASE_URL', async (t) => {
  const path = join(tempDir(t), 'cli.sqlite');
  t.match(await run(['--status', '--database', path]), { code: 0, stdout: /applied none; pending 0001_initial/ });
  t.match(await run(['--database', path]), { code: 0, stdout: `${path}: applied 0001_initial\n` });
  t.match(await run([], { DATABASE_URL: `sqlite:${path}` }), { code: 0, stdout: `${path}: already up to date\n` });
  t.match(await run(['--down', '--database', path]), { code: 0, stdout: `${path}: rolled back 0001_initial\n` });
  t.match(await run(['--down', '-d', path]), { code: 0, stdout: /nothing to roll back/ });
  t.match(await run(['--database', path]), { code: 0, stdout: /applied 0001_initial/ });
  t.match(await run(['--status', '--database-url', path]), { code: 0, stdout: /applied 0001_initial; pending none/ }, '--database-url, as the server spells it');
  t.match(await run(['--database', path, '--database-url', path]), { code: 2, stderr: /--database and --database-url name the same thing: give one/ });
});

t.test('help and bad usage', async (t) => {
  t.match(await run(['--help']), { code: 0, stdout: /^usage: make migrate/ });
  t.match(await run(['--bogus']), { code: 2, stderr: /Unknown option '--bogus'[\s\S]*usage:/ });
  t.match(await run(['--down', '--status']), { code: 2 });
  t.match(await run(['extra']), { code: 2 });
});

t.test('bad files: a message, exit 1, no stack trace', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'notes.txt'), 'hello\n'.repeat(100));
  const text = await run(['--database', join(dir, 'notes.txt')]);
  t.match(text, { code: 1, stdout: '', stderr: /^migrate: .*notes\.txt is not a rawpi database/ });
  t.notMatch(text.stderr, /\n\s+at /, 'no stack trace');
  t.match(await run([], { DATABASE_URL: 'postgres://localhost/rawpi' }), { code: 1, stderr: /unsupported database URL/ });
});

t.test('the real entry script, forked', async (t) => {
  const path = join(tempDir(t), 'forked.sqlite');
  const child = fork(new URL('../../db/migrate-cli.ts', import.meta.url), ['--database', path], { silent: true });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.resume();
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 0);
  t.equal(stdout, `${path}: applied 0001_initial\n`);
});
