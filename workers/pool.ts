// WorkerPool, the master side: forks the workers, hands each idle one a job claimed from the database
// (pull), re-queues the jobs of dead workers and replaces them with backoff, cancels, and stops without orphans.
// When workers cannot work (database file gone), it is degraded: no respawn loop, and it recovers by itself.
import { EventEmitter } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Job, type Store } from '../db/index.js';
import { answerFromCache } from './cache.js';
import { Canceller } from './cancel.js';
import { Degraded } from './degraded.js';
import { errorText } from './error-text.js';
import { describeExit } from './exit-reason.js';
import { isWorkerMessage, type DoneMessage } from './ipc.js';
import { PendingActions } from './pending-actions.js';
import { resolvePoolOptions, threadsFor, type PoolOptions, type PoolSetup } from './pool-options.js';
import { Requeue } from './requeue.js';
import { RespawnBackoff } from './respawn-backoff.js';
import { WorkerProcess, type WorkerState } from './worker-process.js';

export { POOL_DEFAULTS, type PoolOptions, type PoolSetup } from './pool-options.js';

/** Lifecycle of the worker processes, for tests and monitoring. */
export interface WorkerEvent { type: 'spawned' | 'ready' | 'exited'; workerId: number; pid: number; reason?: string }

export interface PoolEvents {
  /** A job row changed in the database (any stage move or progress): the "database_updated" event. */
  job: [job: Job];
  worker: [event: WorkerEvent];
}

export interface PoolStats {
  workers: number; busy: number; idle: number; starting: number;
  /** True while workers cannot work (see WorkerPool): none is started until the database is usable again. */
  degraded: boolean;
}
export interface WorkerInfo { id: number; pid: number; state: WorkerState; jobId: number | null }

/** The worker entry next to this module, with this module's extension (.ts under tap, .js from dist/). */
export function defaultWorkerModule(): URL {
  const ext = extname(fileURLToPath(import.meta.url)) || '.js';
  return new URL(`./worker${ext}`, import.meta.url);
}

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The master side of the workers.
 *
 * - Pull: a worker says 'ready'/'request' when idle; only then does the master claim one job (claimNext:
 *   registered → scheduled, attempts + 1) and hand it over, so no more jobs are out than idle workers asked.
 * - Jobs the stored digits answer are finished here, without a worker (the workers check the digits too). If the
 *   database becomes unavailable meanwhile, the job goes back to 'registered' once it takes writes again.
 * - A dead worker (exit event) is replaced after a backoff that doubles with each crash in a row (respawn-backoff.ts);
 *   its job goes back to 'registered' after a backoff (event 'retried', reason "worker crashed: killed by SIGKILL"),
 *   or to 'error' with that reason once it was handed out maxAttempts times (requeue.ts).
 * - stop(): running jobs are aborted and go back to 'registered' at once (retried, "the pool stopped"), so the
 *   list shows them as waiting; their next run counts one more attempt. Jobs waiting for a retry follow the same
 *   rule as after a crash (at once, or 'error' at maxAttempts); jobs being cancelled end cancelled. Whatever a killed master leaves in
 *   scheduled/taken/calculated is re-queued by the next start() (requeueUnfinished).
 * - Workers exit when the master's IPC channel closes, so a master killed with SIGKILL leaves no orphans.
 * - A worker whose job met an unavailable database ('deferred'), or that could record neither its result nor its
 *   error, leaves the job live: it is re-queued with backoff, counting the attempt, like a crash. When the master's
 *   own writes fail too, it tries again after a backoff until the database takes them.
 * - Degraded: a worker that cannot work at all ('fatal': database file missing, schema) or a respawn while the
 *   database file is gone (handle.check()) starts no further worker. On every poll (and notify) the pool looks at
 *   the database and, once it is usable, tries one worker (at most one per respawn backoff); when that one is
 *   ready, it starts the others and is no longer degraded. Nothing is dispatched while the file is gone. A job
 *   held by a worker that said 'fatal' is re-queued as after a crash.
 * - The master's database access: pass the app's store (`store`) to share its connection, else the pool opens
 *   its own (`databasePath`). The database must be migrated before start().
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly options: PoolOptions;
  private readonly logLine: (line: string) => void;
  private readonly workerModule: string | URL;
  private readonly execArgv: string[] | undefined;
  private readonly givenStore: PoolSetup['store'];
  private store: Pick<Store, 'handle' | 'repos'> | undefined;
  private ownStore: Store | undefined;
  private phase: Phase = 'new';
  private readonly workers = new Map<number, WorkerProcess>();
  private nextWorkerId = 1;
  private dispatching: Promise<void> | undefined;
  private dispatchAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private readonly respawnBackoff: RespawnBackoff;
  /** Each job's one pending action (a retry, or a write waiting out an outage): dropped by cancel(), run by stop(). */
  private readonly pendingActions: PendingActions;
  /** Jobs whose worker's end (its 'done' message, or its exit while holding them) is being handled. */
  private readonly finishing = new Set<number>();
  /** Jobs held by nobody and not finished: re-queued after a backoff (still in their stage meanwhile), or failed. */
  private readonly requeue: Requeue;
  /** cancel(), and the callers waiting to hear whether a running job ended cancelled. */
  private readonly canceller: Canceller;
  private readonly pending = new Set<Promise<unknown>>();
  /** Set while no worker is started (a fatal worker, the database gone). */
  private readonly degraded: Degraded;
  private lastClaimError: string | undefined;
  /** How many decimals are stored, as far as the master knows: jobs up to it are answered here. */
  private largestN = 0;
  private stopped: Promise<void> | undefined;

  constructor(setup: PoolSetup = {}) {
    super();
    this.options = resolvePoolOptions(setup);
    this.logLine = setup.log ?? (() => {});
    this.workerModule = setup.workerModule ?? defaultWorkerModule();
    this.execArgv = setup.execArgv;
    this.givenStore = setup.store;
    this.degraded = new Degraded(this.options.respawnBackoffMs);
    this.respawnBackoff = new RespawnBackoff(this.options.respawnBackoffMs);
    const running = (): boolean => this.phase === 'running';
    const log = (line: string): void => this.log(line);
    this.pendingActions = new PendingActions(this.options, { running, log, track: (work) => void this.track(work) });
    this.requeue = new Requeue(this.options, this.pendingActions, {
      repos: () => this.repos(), running, log, changed: (job) => this.changed(job), notify: () => this.notify(),
    });
    this.canceller = new Canceller(this.options, this.pendingActions, {
      repos: () => this.repos(),
      holderOf: (jobId) => this.holderOf(jobId),
      changed: (job) => this.changed(job),
      log,
    });
  }

  /** Re-queues unfinished jobs, forks the workers and resolves when all are ready (rejects if one cannot start). */
  async start(): Promise<void> {
    if (this.phase !== 'new') throw new Error('WorkerPool.start() may be called once');
    this.phase = 'starting';
    try {
      this.store = this.givenStore ?? (this.ownStore = openStore({
        ...(this.options.databasePath !== undefined ? { path: this.options.databasePath } : {}),
        busyTimeoutMs: this.options.busyTimeoutMs,
        lockTimeoutMs: this.options.lockTimeoutMs,
        log: (line) => this.log(line),
      }));
      const requeued = await this.store.repos.jobs.requeueUnfinished('unfinished when the pool started');
      if (requeued.length > 0) this.log(`re-queued ${requeued.length} unfinished job(s)`);
      for (const job of requeued) this.changed(job);
      this.largestN = await this.store.repos.digits.largestN();
      const first = Array.from({ length: this.options.workers }, () => this.spawn());
      await Promise.all(first.map((w) => w.ready));
    } catch (err) {
      await this.stop(0);
      throw err;
    }
    if (this.phase !== 'starting') throw new Error('WorkerPool stopped while starting');
    this.phase = 'running';
    this.pollTimer = setInterval(() => this.notify(), this.options.pollIntervalMs).unref();
    this.log(`pool started: ${this.options.workers} worker(s) on ${this.store.handle.path}`);
    this.notify();
  }

  /** Hands waiting jobs to idle workers now; call it after submitting a job. Also the poll's tick. */
  notify(): void {
    if (this.phase !== 'running') return;
    this.recover();
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = this.track(this.dispatch()).finally(() => { this.dispatching = undefined; });
  }

  /**
   * Cancels a job that is not finished: a waiting one at once, a running one by aborting its computation
   * (its worker is killed and replaced if it does not stop within cancelTimeoutMs). Resolves true if the job
   * ended cancelled, false if it was unknown or already finished.
   */
  async cancel(jobId: number): Promise<boolean> {
    if (this.phase === 'new' || this.phase === 'stopped') throw new Error('WorkerPool is not running');
    return this.canceller.cancel(jobId);
  }

  stats(): PoolStats {
    const s: PoolStats = { workers: 0, busy: 0, idle: 0, starting: 0, degraded: this.degraded.active };
    for (const w of this.workers.values()) {
      s.workers++;
      // 'assigning' is idle until the claim brings a job.
      if (w.state === 'idle' || w.state === 'assigning') s.idle++;
      else if (w.state === 'busy') s.busy++;
      else if (w.state === 'starting') s.starting++;
    }
    return s;
  }

  /** The live worker processes. */
  processes(): WorkerInfo[] {
    return [...this.workers.values()].map((w) => ({ id: w.id, pid: w.pid, state: w.state, jobId: w.job?.id ?? null }));
  }

  /**
   * Stops handing out jobs, tells the workers to stop (running computations are aborted), kills whoever is
   * alive after timeoutMs, and re-queues (retry → 'registered', reason "the pool stopped") every job that was
   * running. A job waiting for a retry is re-queued at once, or fails if it was handed out maxAttempts times
   * (retryDecision); a job whose cancel waits to be recorded is cancelled, never re-queued (PendingActions.runAllNow).
   * Resolves when no worker process is left.
   */
  stop(timeoutMs: number = this.options.shutdownTimeoutMs): Promise<void> {
    this.stopped ??= this.shutdown(timeoutMs);
    return this.stopped;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.phase = 'stopping';
    clearInterval(this.pollTimer);
    for (const t of this.respawnTimers) clearTimeout(t);
    this.respawnTimers.clear();
    await this.dispatching;
    this.pendingActions.runAllNow();
    const alive = [...this.workers.values()];
    for (const w of alive) {
      if (w.state === 'starting') w.kill('SIGTERM'); // holds nothing, may not listen yet
      else w.send({ type: 'stop' });
      w.state = 'stopping';
    }
    let timer: NodeJS.Timeout | undefined;
    const allExited = Promise.all(alive.map((w) => w.exited));
    await Promise.race([allExited, new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
    for (const w of alive) {
      if (!w.alive) continue;
      this.log(`worker ${w.id} (pid ${w.pid}) still running after ${timeoutMs} ms: killing it`);
      w.killedByPool = true;
      w.kill('SIGKILL');
    }
    await allExited;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.canceller.settleAll();
    await this.ownStore?.close();
    this.phase = 'stopped';
    if (alive.length > 0) this.log('pool stopped');
  }

  // --- workers ---

  private spawn(): WorkerProcess {
    const id = this.nextWorkerId++;
    const w = new WorkerProcess(id, this.workerModule, {
      databasePath: this.store!.handle.path,
      busyTimeoutMs: this.options.busyTimeoutMs,
      lockTimeoutMs: this.options.lockTimeoutMs,
      dbRetries: this.options.dbRetries,
      dbRetryBackoffMs: this.options.dbRetryBackoffMs,
      progressIntervalMs: this.options.progressIntervalMs,
      maxDigits: this.options.maxDigits,
      workerId: id,
    }, this.execArgv);
    this.workers.set(id, w);
    w.child.on('message', (m) => this.onMessage(w, m));
    w.child.once('exit', (code, signal) => this.track(this.onExit(w, code, signal)));
    w.child.on('error', (err) => {
      this.log(`worker ${id} (pid ${w.pid}): ${err.message}`);
      if (w.child.pid === undefined) this.track(this.onExit(w, null, null)); // never started: no exit event
    });
    this.log(`worker ${id} (pid ${w.pid}) spawned`);
    this.emitWorker({ type: 'spawned', workerId: id, pid: w.pid });
    return w;
  }

  private onMessage(w: WorkerProcess, m: unknown): void {
    if (!isWorkerMessage(m)) {
      this.log(`worker ${w.id} sent an invalid message: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    switch (m.type) {
      case 'ready':
        this.log(`worker ${w.id} (pid ${w.pid}) ready`);
        if (w.state === 'starting') w.state = 'idle'; // 'ready' is also the first request for work
        this.emitWorker({ type: 'ready', workerId: w.id, pid: w.pid });
        w.markReady();
        if (this.degraded.active && this.phase === 'running') this.recovered(w);
        this.notify();
        return;
      case 'request':
        if (w.state === 'stopping' || !w.alive) return;
        w.job = undefined;
        w.state = 'idle';
        this.notify();
        return;
      case 'changed':
        this.changed(m.job, w);
        return;
      case 'done':
        this.track(this.onDone(w, m));
        return;
      case 'fatal':
        w.fatal = m.error;
        this.log(`worker ${w.id} (pid ${w.pid}) cannot work: ${m.error}`);
        w.markFailed(new Error(m.error));
        return;
      case 'log':
        this.log(`worker ${w.id}: ${m.line}`);
        return;
    }
  }

  private onDone(w: WorkerProcess, m: DoneMessage): Promise<void> {
    return this.whileFinishing(m.jobId, () => this.afterDone(w, m));
  }

  /** Runs the handling of a worker's end with the job it held marked as finishing (see busyWith). */
  private async whileFinishing(jobId: number | undefined, work: () => Promise<void>): Promise<void> {
    if (jobId !== undefined) this.finishing.add(jobId);
    try {
      await work();
    } finally {
      if (jobId !== undefined) this.finishing.delete(jobId);
    }
  }

  private async afterDone(w: WorkerProcess, m: DoneMessage): Promise<void> {
    const held = w.job?.id === m.jobId ? w.job : undefined;
    if (held) w.job = undefined;
    const n = held ? ` (n=${held.n})` : '';
    this.log(`worker ${w.id} job ${m.jobId}${n} ${m.outcome}${m.error ? `: ${m.error}` : ''}, done in ${(m.ms / 1000).toFixed(2)} s`);
    if (m.outcome === 'stored') this.respawnBackoff.reset();
    if (held?.cancelling && m.outcome !== 'cancelled' && m.outcome !== 'stored') {
      await this.canceller.orphaned(m.jobId); // the worker could not record the cancel: the master does
      return;
    }
    this.canceller.settle(m.jobId, m.outcome === 'cancelled');
    await this.requeue.afterDone(m);
  }

  private async onExit(w: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (!w.alive) return;
    await this.whileFinishing(w.job?.id, () => this.afterExit(w, code, signal));
  }

  private async afterExit(w: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const reason = describeExit(code, signal);
    const held = w.job;
    w.job = undefined;
    const wasStopping = w.state === 'stopping' || this.phase === 'stopping' || this.phase === 'stopped';
    w.markExited();
    this.workers.delete(w.id);
    w.markFailed(new Error(w.fatal ? `worker ${w.id}: ${w.fatal}` : `worker ${w.id} ${reason} before it was ready`));
    this.emitWorker({ type: 'exited', workerId: w.id, pid: w.pid, reason });
    if (wasStopping) {
      this.log(`worker ${w.id} (pid ${w.pid}) exited${code === 0 ? '' : `: ${reason}`}`);
      // A job being cancelled ends cancelled, not re-queued, even when stop() killed its worker first.
      if (held?.cancelling) await this.canceller.orphaned(held.id);
      else if (held) await this.requeue.requeueWhenPossible(held.id, 'the pool stopped');
      return;
    }
    if (!w.wasReady && this.phase === 'starting') {
      if (!w.fatal) this.log(`worker ${w.id} (pid ${w.pid}) crashed: ${reason}`);
      return; // start() fails instead
    }
    if (w.fatal) {
      // It cannot work (it said why): another one would not either, until the database is usable again.
      this.store?.handle.check(); // the master's own look at the file: logs it if it is gone
      this.degrade(`worker ${w.id} cannot work: ${w.fatal}`);
    } else {
      if (w.killedByPool) {
        this.log(`worker ${w.id} (pid ${w.pid}) killed by the pool`);
      } else {
        this.log(`worker ${w.id} (pid ${w.pid}) crashed: ${reason}`);
        this.respawnBackoff.crashed(w.spawnedAt);
      }
      this.scheduleRespawn(w);
    }
    if (!held) return;
    // 'fatal' normally comes before 'ready'; a worker that says it while holding a job died with it, as in a crash.
    if (held.cancelling) await this.canceller.orphaned(held.id);
    else await this.requeue.retryLater(held.id, w.fatal ? `worker cannot work: ${w.fatal}` : `worker crashed: ${reason}`);
  }

  private scheduleRespawn(dead: WorkerProcess): void {
    const delay = this.respawnBackoff.delayMs();
    this.log(`worker ${dead.id} will be replaced in ${delay} ms`);
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      if (this.phase !== 'running' && this.phase !== 'starting') return;
      const db = this.store!.handle.check();
      if (!db.available) {
        this.degrade(`the database is unavailable: ${db.problem}`);
        return;
      }
      if (this.degraded.active) return; // recover() starts workers again
      const w = this.spawn();
      this.log(`worker ${dead.id} replaced by worker ${w.id} (pid ${w.pid})`);
    }, delay);
    this.respawnTimers.add(timer);
  }

  /** Starts no more workers until the database is usable again; the next try waits a growing backoff. */
  private degrade(reason: string): void {
    const { began, delayMs } = this.degraded.fail(reason);
    if (began) {
      this.log(`worker pool degraded: ${reason}; no worker is started until the database is usable again (looked at every ${this.options.pollIntervalMs} ms, first try in ${delayMs} ms)`);
    } else {
      this.log(`worker pool still degraded: ${reason}; next try in ${delayMs} ms`);
    }
  }

  /** While degraded: once the database looks usable and the backoff has passed, tries one worker. */
  private recover(): void {
    if (!this.degraded.tryDue() || this.phase !== 'running') return;
    if ([...this.workers.values()].some((w) => w.state === 'starting')) return; // one try at a time
    if (!this.store!.handle.check().available) return;
    if (this.workers.size >= this.options.workers) return void this.recovered(undefined);
    const w = this.spawn();
    this.log(`worker pool degraded: trying worker ${w.id} (pid ${w.pid})`);
  }

  /** A worker became ready while degraded: the database works again; start the missing workers. */
  private recovered(w: WorkerProcess | undefined): void {
    this.log(`worker pool recovered${w ? `: worker ${w.id} is ready` : ''}; was degraded: ${this.degraded.recover()}`);
    while (this.workers.size + this.respawnTimers.size < this.options.workers) this.spawn();
  }

  // --- jobs ---

  private async dispatch(): Promise<void> {
    do {
      this.dispatchAgain = false;
      for (;;) {
        if (this.phase !== 'running') return;
        if (!this.store!.handle.status().available) return; // the file is gone: claim nothing
        const w = [...this.workers.values()].find((x) => x.state === 'idle');
        if (!w) break;
        w.state = 'assigning';
        let job: Job | undefined;
        try {
          job = await this.repos().jobs.claimNext();
          this.lastClaimError = undefined;
        } catch (err) {
          if (w.state === 'assigning') w.state = 'idle';
          const text = errorText(err);
          if (text !== this.lastClaimError) this.log(`claiming a job failed: ${text}`); // once per outage, not every poll
          this.lastClaimError = text;
          return; // the next notify() or poll tries again
        }
        if (!job) {
          if (w.state === 'assigning') w.state = 'idle';
          break;
        }
        this.changed(job);
        if (job.n <= this.largestN && await this.answerHere(job)) {
          if (w.state === 'assigning') w.state = 'idle';
          continue;
        }
        if (w.state !== 'assigning' || this.phase !== 'running') {
          await this.requeue.requeueWhenPossible(job.id, 'its worker went away before it was handed over');
          continue;
        }
        this.handOver(w, job);
      }
    } while (this.dispatchAgain);
  }

  private handOver(w: WorkerProcess, job: Job): void {
    const others = [...this.workers.values()].filter((x) => x !== w && x.state === 'busy').length;
    const threads = threadsFor(job.n, others, this.options);
    w.state = 'busy';
    w.job = { id: job.id, n: job.n, startedAt: Date.now(), progressTenths: 0, cancelling: false };
    this.log(`worker ${w.id} took job ${job.id} (n=${job.n}, attempt ${job.attempts}, ${threads} thread${threads > 1 ? 's' : ''})`);
    if (!w.send({ type: 'run', job: { id: job.id, n: job.n, attempts: job.attempts }, threads })) {
      // The channel is gone: the exit event follows and re-queues the job.
      this.log(`worker ${w.id} could not be sent job ${job.id}`);
    }
  }

  /** The master's short-cut for a job the stored digits already answer: no worker, no IPC. */
  private async answerHere(job: Job): Promise<boolean> {
    const started = Date.now();
    const answer = await answerFromCache(this.repos(), job, (row) => this.changed(row), (err) => {
      this.log(`job ${job.id} (n=${job.n}) could not be answered from the stored digits: ${errorText(err)}`);
    });
    if (answer === 'stored') this.log(`job ${job.id} (n=${job.n}) answered from the stored digits in ${Date.now() - started} ms`);
    // Tracked (a failure is logged, never thrown into the dispatch); an outage is waited out on a timer.
    if (answer === 'requeue') await this.track(this.requeue.requeueWhenPossible(job.id, 'it could not be answered from the stored digits'));
    return answer !== 'to-worker';
  }

  // --- plumbing ---

  /**
   * Whether the pool still has business with the job: a worker holds it, its worker's end is being handled, or an
   * action waits for it (a retry, a refused write). Those read the job's stage and act on it; a job that ended is
   * submitted again only once none is left (JobService.submit), so none of them ever acts on the new run.
   */
  busyWith(jobId: number): boolean {
    return this.holderOf(jobId) !== undefined || this.finishing.has(jobId) || this.pendingActions.has(jobId);
  }

  private holderOf(jobId: number): WorkerProcess | undefined {
    for (const w of this.workers.values()) if (w.job?.id === jobId) return w;
    return undefined;
  }

  private changed(job: Job, w?: WorkerProcess): void {
    if (job.stage === 'stored' && job.n > this.largestN) this.largestN = job.n;
    if (w?.job?.id === job.id && job.stage === 'taken') {
      const tenths = Math.floor(job.progress * 10);
      if (tenths > w.job.progressTenths) {
        w.job.progressTenths = tenths;
        this.log(`worker ${w.id} job ${job.id} progress ${tenths * 10}%`);
      }
    }
    try {
      this.emit('job', job);
    } catch (err) {
      this.log(`a 'job' listener threw: ${errorText(err)}`);
    }
  }

  private emitWorker(event: WorkerEvent): void {
    try {
      this.emit('worker', event);
    } catch (err) {
      this.log(`a 'worker' listener threw: ${errorText(err)}`);
    }
  }

  private repos(): Store['repos'] {
    if (!this.store) throw new Error('WorkerPool is not started');
    return this.store.repos;
  }

  /** Keeps count of background work so stop() can wait for it; logs its failure. */
  private track<T>(p: Promise<T>): Promise<T | undefined> {
    const tracked = p.catch((err: unknown) => {
      this.log(`pool: ${errorText(err)}`);
      return undefined;
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }

  private log(line: string): void {
    try {
      this.logLine(line);
    } catch {
      // a failing logger must not break the pool
    }
  }
}
