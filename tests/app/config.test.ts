// The command line and environment options of the database's limits: defaults, environment, flags (which win),
// ranges, and --help, which lists every option with its default.

import t from 'tap';
import { ConfigError, helpText, OPTIONS, parseConfig, type Config } from '../../app/config.js';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_CHECK_INTERVAL_MS, DEFAULT_LOCK_TIMEOUT_MS } from '../../db/index.js';
import { POOL_DEFAULTS } from '../../workers/pool-options.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): Config => {
  const c = parseConfig(argv, env);
  if (c === 'help') throw new Error('unexpected help');
  return c;
};

t.test('the database limits have defaults that match the layers that use them', async (t) => {
  const c = parse([]);
  t.equal(c.dbBusyTimeout, 25);
  t.equal(c.dbLockTimeout, 5000);
  t.equal(c.dbCheckInterval, 2000);
  t.equal(c.jobDbRetries, 5);
  t.equal(c.dbBusyTimeout, DEFAULT_BUSY_TIMEOUT_MS, 'the same as db/ uses without options');
  t.equal(c.dbLockTimeout, DEFAULT_LOCK_TIMEOUT_MS);
  t.equal(c.dbCheckInterval, DEFAULT_CHECK_INTERVAL_MS);
  t.equal(c.jobDbRetries, POOL_DEFAULTS.dbRetries, 'the same as the pool uses without options');
});

t.test('environment variables set them; flags win', async (t) => {
  const env = { DB_BUSY_TIMEOUT: '10', DB_LOCK_TIMEOUT: '30000', DB_CHECK_INTERVAL: '500', JOB_DB_RETRIES: '0' };
  const fromEnv = parse([], env);
  t.same([fromEnv.dbBusyTimeout, fromEnv.dbLockTimeout, fromEnv.dbCheckInterval, fromEnv.jobDbRetries], [10, 30000, 500, 0]);
  const flags = parse(['--db-busy-timeout', '50', '--db-lock-timeout=1000', '--db-check-interval', '250', '--job-db-retries', '9'], env);
  t.same([flags.dbBusyTimeout, flags.dbLockTimeout, flags.dbCheckInterval, flags.jobDbRetries], [50, 1000, 250, 9]);
});

t.test('out-of-range values stop the start with a message', async (t) => {
  t.throws(() => parse(['--db-check-interval', '10']), ConfigError, 'a check interval under 100 ms would stat all the time');
  t.throws(() => parse(['--db-lock-timeout', '-1']), ConfigError);
  t.throws(() => parse([], { JOB_DB_RETRIES: 'many' }), /JOB_DB_RETRIES \(environment\) expects a whole number/);
  t.throws(() => parse(['--db-busy-timeout', '60001']), /must be from 0 to 60000/);
});

t.test('--help lists every option with its environment variable and default', async (t) => {
  t.equal(parseConfig(['--help'], {}), 'help');
  const help = helpText();
  for (const spec of Object.values(OPTIONS)) {
    t.match(help, spec.flag, spec.flag);
    t.match(help, spec.env, spec.env);
  }
  t.match(help, /--db-lock-timeout N\s+DB_LOCK_TIMEOUT\s+.*\[default: 5000\]/);
  t.match(help, /--db-busy-timeout N\s+DB_BUSY_TIMEOUT\s+.*\[default: 25\]/);
  t.match(help, /--db-check-interval N\s+DB_CHECK_INTERVAL\s+.*\[default: 2000\]/);
  t.match(help, /--job-db-retries N\s+JOB_DB_RETRIES\s+.*\[default: 5\]/);
});

t.test('a port already in use stops the start with a line that says what to do', async (t) => {
  const { runScript } = await import('../bench/run-script.js');
  const net = await import('node:net');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const os = await import('node:os');
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const dir = mkdtempSync(join(os.tmpdir(), 'rawpi-port-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await runScript('dist/app/main.js', ['--port', String(port), '--workers', '1', '--database-url', join(dir, 'db.sqlite')], 60_000);
  t.not(run.code, 0, 'it exits with an error');
  t.match(run.stderr, new RegExp(`EADDRINUSE.*another program listens on 127\\.0\\.0\\.1:${port}; choose another port with --port or PORT`));
});

t.test('an in-memory database with workers is refused with the reason', async (t) => {
  const { runScript } = await import('../bench/run-script.js');
  const run = await runScript('dist/app/main.js', ['--port', '0', '--workers', '1', '--database-url', ':memory:'], 60_000);
  t.equal(run.code, 1);
  t.match(run.stderr, /--database-url :memory: cannot work with workers: each worker process opens the database by its file/);
});
