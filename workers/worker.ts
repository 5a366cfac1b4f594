// Entry of a forked worker process: opens its own connection to the existing database, asks the master for one
// job at a time (pull), runs it, and exits when told to stop or as soon as the master goes away.
import { assertSchemaCurrent, openStore } from '../db/index.js';
import { isMasterMessage, type JobAssignment, type WorkerMessage } from './ipc.js';
import { errorText } from './error-text.js';
import { runJob, type AbortReason } from './run-job.js';
import { decodeWorkerConfig, type WorkerConfig } from './worker-config.js';

interface Current { job: JobAssignment; controller: AbortController; done: Promise<void> }

let store: ReturnType<typeof openStore> | undefined;
let current: Current | undefined;
let exiting = false;
/** Settles when the last message sent has been handed to the channel (so exiting cannot drop it). */
let lastSend: Promise<void> = Promise.resolve();

function send(message: WorkerMessage): void {
  if (!process.connected || !process.send) return;
  try {
    lastSend = new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
  } catch {
    // The channel closed under us: 'disconnect' follows and ends the process.
  }
}

const log = (line: string): void => send({ type: 'log', line });

/** Aborts the running job (the master re-queues it), closes the database and exits. */
async function exit(reason: 'stop' | 'disconnect'): Promise<void> {
  if (exiting) return;
  exiting = true;
  current?.controller.abort('stop' satisfies AbortReason);
  if (reason === 'disconnect') setTimeout(() => process.exit(0), 2000).unref(); // the master is gone: be quick
  try {
    await current?.done;
    await store?.close();
    await lastSend;
  } finally {
    process.exit(0);
  }
}

function run(config: WorkerConfig, job: JobAssignment, threads: number): void {
  const controller = new AbortController();
  const started = Date.now();
  const done = runJob(store!, job, {
    signal: controller.signal,
    threads,
    maxDigits: config.maxDigits,
    progressIntervalMs: config.progressIntervalMs,
    dbRetries: config.dbRetries,
    dbRetryBackoffMs: config.dbRetryBackoffMs,
    onChange: (row) => send({ type: 'changed', job: row }),
    log,
  }).catch((err: unknown) => ({ outcome: 'error' as const, error: errorText(err) })).then((result) => {
    current = undefined;
    send({ type: 'done', jobId: job.id, outcome: result.outcome, ms: Date.now() - started, ...(result.error ? { error: result.error } : {}) });
    if (!exiting) send({ type: 'request' });
  });
  current = { job, controller, done };
}

function onMessage(config: WorkerConfig, message: unknown): void {
  if (!isMasterMessage(message)) {
    log(`ignored an invalid message: ${JSON.stringify(message)?.slice(0, 200)}`);
    return;
  }
  switch (message.type) {
    case 'run':
      if (current || exiting) {
        log(`refused job ${message.job.id}: ${exiting ? 'stopping' : `busy with job ${current!.job.id}`}`);
        return;
      }
      run(config, message.job, message.threads);
      return;
    case 'cancel':
      if (current?.job.id === message.jobId) current.controller.abort('cancel' satisfies AbortReason);
      return;
    case 'stop':
      void exit('stop');
      return;
  }
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('workers/worker: start me through WorkerPool (child_process.fork)\n');
    process.exit(2);
  }
  // Listen before anything is awaited, so no message and no disconnect goes unseen.
  let config: WorkerConfig | undefined;
  const early: unknown[] = [];
  process.on('message', (m) => (config ? onMessage(config, m) : early.push(m)));
  process.on('disconnect', () => void exit('disconnect'));
  // Ctrl-C reaches the whole process group: the master decides when workers stop (it tells them, or goes away).
  process.on('SIGINT', () => {});
  try {
    const cfg = decodeWorkerConfig();
    // Never create the file: a worker that finds it gone says so ('fatal') instead of starting an empty database.
    // The master watches the file; a worker only checks it before its writes.
    store = openStore({ path: cfg.databasePath, busyTimeoutMs: cfg.busyTimeoutMs, lockTimeoutMs: cfg.lockTimeoutMs, create: false, checkIntervalMs: 0 });
    await assertSchemaCurrent(store.handle);
    config = cfg;
  } catch (err) {
    send({ type: 'fatal', error: errorText(err) });
    await store?.close().catch(() => {});
    await lastSend;
    process.exit(1);
  }
  if (!process.connected) return void exit('disconnect');
  send({ type: 'ready', pid: process.pid });
  for (const m of early.splice(0)) onMessage(config, m);
}

void main();
