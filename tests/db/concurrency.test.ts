// Several real processes (child_process.fork of concurrency-child.ts) on one database file, released together:
// submitting the same ns makes one row and one 'created' per n; claiming never hands a job out twice; no SQLITE_BUSY.
import { fork, type ChildProcess } from 'node:child_process';
import t from 'tap';
import type { ChildCommand, ChildReport } from './fixtures/concurrency-child.js';
import { tempStore } from './fixtures/helpers.js';

const CHILD = new URL('./fixtures/concurrency-child.ts', import.meta.url);
const PROCESSES = 3;

class Child {
  readonly proc: ChildProcess;
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  #reports: ChildReport[] = [];
  #waiting: Array<(r: ChildReport) => void> = [];

  constructor(path: string) {
    // fork's default execArgv is process.execArgv: under tap it carries tap's TypeScript loader.
    this.proc = fork(CHILD, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.proc.stdout!.resume();
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.proc.on('message', (m) => this.#deliver(m as ChildReport));
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    void this.exited.then(() => this.#deliver({ type: 'failed', error: `exited early: ${this.stderr.join('')}` }));
    this.proc.send({ path });
  }

  #deliver(report: ChildReport): void {
    if (this.#waiting.length) this.#waiting.shift()!(report);
    else this.#reports.push(report);
  }

  next(): Promise<ChildReport> {
    if (this.#reports.length) return Promise.resolve(this.#reports.shift()!);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  send(cmd: ChildCommand): void {
    this.proc.send(cmd);
  }
}

/** Sends each child its command at once (they are all idle and waiting) and collects the replies. */
async function together(children: Child[], command: (i: number) => ChildCommand): Promise<ChildReport[]> {
  children.forEach((c, i) => c.send(command(i)));
  return Promise.all(children.map((c) => c.next()));
}

t.test('several processes on one database', async (t) => {
  const { handle, repos } = await tempStore(t);
  const children = Array.from({ length: PROCESSES }, () => new Child(handle.path));
  t.teardown(async () => {
    for (const c of children) if (c.proc.connected) c.send({ action: 'exit' });
    await Promise.all(children.map((c) => c.exited));
  });
  const ready = await Promise.all(children.map((c) => c.next()));

  await t.test('forked .ts children run under tap with its loader', async (t) => {
    for (const r of ready) {
      t.equal(r.type, 'ready', r.type === 'failed' ? r.error : 'ready');
      if (r.type !== 'ready') continue;
      t.match(r.moduleUrl, /concurrency-child\.ts$/, 'the child runs the TypeScript source');
      t.same(r.execArgv, process.execArgv, 'execArgv inherited');
      t.not(r.pid, process.pid);
    }
  });

  await t.test('concurrent submits of the same n make one row each', async (t) => {
    const ns = Array.from({ length: 100 }, (_, i) => 1000 + i);
    // Every other process goes backwards, to meet the others head on.
    const reports = await together(children, (i) => ({ action: 'submit', ns: i % 2 ? [...ns].reverse() : ns }));
    t.same(reports.filter((r) => r.type === 'failed'), [], 'no process failed');
    const results = reports.flatMap((r) => (r.type === 'submitted' ? r.results : []));
    t.equal(results.length, ns.length * PROCESSES);
    t.equal(await repos.jobs.count(), ns.length, 'one row per n');
    const byN = new Map<number, typeof results>();
    for (const r of results) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
    const sameJob = [...byN.values()].every((rs) => new Set(rs.map((r) => r.id)).size === 1);
    const createdOnce = [...byN.values()].every((rs) => rs.filter((r) => r.created).length === 1);
    t.ok(sameJob, 'every process got the same job for each n');
    t.ok(createdOnce, 'each n was created exactly once');
    const events = await handle.kysely.selectFrom('job_events').select('kind').execute();
    t.equal(events.length, ns.length, 'one registered event per job');
  });

  await t.test('concurrent claims never hand out the same job', async (t) => {
    const jobs = await repos.jobs.count();
    t.equal((await repos.jobs.countByStage()).registered, jobs, `${jobs} jobs waiting`);
    const reports = await together(children, () => ({ action: 'claim' }));
    t.same(reports.filter((r) => r.type === 'failed'), [], 'no process failed (no SQLITE_BUSY)');
    const perProcess = reports.map((r) => (r.type === 'claimed' ? r.ids : []));
    const all = perProcess.flat();
    t.equal(all.length, jobs, 'every job claimed');
    t.equal(new Set(all).size, jobs, 'no job claimed twice');
    t.same(await repos.jobs.countByStage(), {
      registered: 0, scheduled: 0, taken: jobs, calculated: 0, stored: 0, error: 0, cancelled: 0,
    });
    const attempts = await handle.kysely.selectFrom('jobs').select('attempts').distinct().execute();
    t.same(attempts, [{ attempts: 1 }], 'each job claimed once');
    t.comment(`claims per process: ${perProcess.map((ids) => ids.length).join(', ')}`);
  });
});
