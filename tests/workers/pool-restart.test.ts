// Stopping and losing the master: stop() mid-job re-queues the job and leaves no process, a new pool on
// the same database completes it; a master killed with SIGKILL leaves no orphaned worker, its job re-queued.
import { fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { WorkerPool } from '../../workers/pool.js';
import { isAlive, logLines, migratedStore, nextJob, PI, until } from './helpers.js';

async function storedPrefix(store: Awaited<ReturnType<typeof migratedStore>>['store'], count: number): Promise<string> {
  let s = '';
  for await (const piece of store.repos.digits.readDecimals(count)) s += piece;
  return s;
}

t.test('stop() mid-job: the job is re-queued, no process is left, the next pool completes it', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  // A generous shutdown timeout: this is about stopping when told, on however loaded a machine.
  const first = new WorkerPool({ store, workers: 1, engineThreads: 1, log, shutdownTimeoutMs: 30_000 });
  const spawned: number[] = [];
  first.on('worker', (e) => { if (e.type === 'spawned') spawned.push(e.pid); });
  await first.start();
  const n = 1_000_000; // seconds of work: surely mid-computation when the worker says 'taken'
  const { job } = await store.repos.jobs.submit(n);
  const running = nextJob(first, (j) => j.id === job.id && j.stage === 'taken');
  first.notify();
  await running;
  await first.stop();
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
  t.notOk(lines.some((l) => /killing it/.test(l)), 'the workers stopped when told, none was killed');
  const after = await store.repos.jobs.findById(job.id);
  t.equal(after?.stage, 'registered', 'back in the queue');
  const retried = (await store.repos.events.listForJob(job.id)).filter((e) => e.kind === 'retried');
  t.same(retried.map((e) => e.detail), ['the pool stopped']);

  const second = new WorkerPool({ store, workers: 1, engineThreads: 1 });
  const stored = nextJob(second, (j) => j.id === job.id && j.stage === 'stored', 120_000);
  await second.start();
  const done = await stored;
  t.equal(done.attempts, 2);
  t.equal(done.digit, await store.repos.digits.digitAt(n), 'the digit is the stored n-th decimal');
  t.equal(await storedPrefix(store, PI.length), PI, 'the stored digits begin with the reference');
  await second.stop();
});

t.test('a master killed with SIGKILL leaves no worker behind; the next master re-queues its job', async (t) => {
  const { store, path } = await migratedStore(t);
  const ext = extname(fileURLToPath(import.meta.url));
  const master = fork(new URL(`./fixtures/master${ext}`, import.meta.url), [path, '1000000'], {
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  t.teardown(() => { if (master.exitCode === null && master.signalCode === null) master.kill('SIGKILL'); });
  const report = await new Promise<{ jobId: number; pids: number[] }>((resolve, reject) => {
    master.once('message', (m) => resolve(m as { jobId: number; pids: number[] }));
    master.once('exit', (code, signal) => reject(new Error(`master exited early: ${code ?? signal}`)));
  });
  t.equal(report.pids.length, 1);
  master.kill('SIGKILL');
  await until(() => report.pids.every((pid) => !isAlive(pid)), 'the orphaned workers to exit', 20_000);
  t.pass('every worker exited on its own');
  t.equal((await store.repos.jobs.findById(report.jobId))?.stage, 'taken', 'the job was left running');

  const pool = new WorkerPool({ store, workers: 1, engineThreads: 1 });
  const requeued = nextJob(pool, (j) => j.id === report.jobId && j.stage === 'registered');
  await pool.start();
  await requeued;
  const details = (await store.repos.events.listForJob(report.jobId)).filter((e) => e.kind === 'retried').map((e) => e.detail);
  t.same(details, ['unfinished when the pool started']);
  // A million decimals need not be computed here: the re-queued job is handed out again, then cancelled.
  t.equal(await pool.cancel(report.jobId), true);
  await pool.stop();
});
