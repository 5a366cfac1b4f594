// The jobs repository: idempotent submit, claim order, the full lifecycle with events, illegal moves rejected
// without side effects, fail/cancel/retry/requeue, counts, and units of work that commit all or nothing.
import t from 'tap';
import {
  InvalidArgumentError,
  JobNotFoundError,
  StageError,
  type EventKind,
  type Stage,
  type Repositories,
} from '../../db/index.js';
import { tempStore } from './fixtures/helpers.js';

/** The rejection reason of p (undefined if it resolves). */
function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e);
}

/** The pattern of a StageError naming the current and the requested stage. */
function stageError(from: Stage, to: Stage) {
  return { constructor: StageError, from, to, message: new RegExp(`'${from}'.*'${to}'`) };
}

async function kinds(repos: Repositories, jobId: number): Promise<EventKind[]> {
  return (await repos.events.listForJob(jobId)).map((e) => e.kind);
}

t.test('submit is idempotent per n', async (t) => {
  const { repos } = await tempStore(t);
  const first = await repos.jobs.submit(1000);
  t.equal(first.created, true);
  t.match(first.job, { n: 1000, stage: 'registered', progress: 0, attempts: 0, digit: null, fromCache: false });
  t.type(first.job.createdAt, 'number');
  const again = await repos.jobs.submit(1000);
  t.equal(again.created, false);
  t.same(again.job, first.job, 'the existing job, unchanged');
  t.equal(await repos.jobs.count(), 1);
  t.same(await kinds(repos, first.job.id), ['registered'], 'one registered event');
  t.same(await repos.jobs.findByN(1000), first.job);
  t.same(await repos.jobs.findById(first.job.id), first.job);
  t.equal(await repos.jobs.findByN(1), undefined);

  for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
    await t.rejects(repos.jobs.submit(bad), InvalidArgumentError, `n=${bad} rejected`);
  }
  t.equal(await repos.jobs.count(), 1);
});

t.test('claimNext takes the oldest registered job once', async (t) => {
  const { repos } = await tempStore(t);
  t.equal(await repos.jobs.claimNext(), undefined, 'nothing to claim');
  const a = (await repos.jobs.submit(30)).job;
  const b = (await repos.jobs.submit(10)).job;
  const first = await repos.jobs.claimNext();
  t.match(first, { id: a.id, stage: 'scheduled', attempts: 1 });
  t.match(await repos.jobs.claimNext(), { id: b.id, stage: 'scheduled', attempts: 1 });
  t.equal(await repos.jobs.claimNext(), undefined);
  t.same(await kinds(repos, a.id), ['registered', 'scheduled']);
});

t.test('the full lifecycle, with timestamps, progress and events', async (t) => {
  const { repos } = await tempStore(t);
  const { job } = await repos.jobs.submit(5);
  await repos.jobs.claimNext();
  const taken = await repos.jobs.advance(job.id, 'taken', { detail: 'worker 1' });
  t.equal(taken.stage, 'taken');
  t.type(taken.startedAt, 'number');
  t.equal(await repos.jobs.setProgress(job.id, 0.25), true);
  t.equal((await repos.jobs.findById(job.id))!.progress, 0.25);
  await repos.jobs.setProgress(job.id, 7);
  t.equal((await repos.jobs.findById(job.id))!.progress, 1, 'clamped');
  await t.rejects(repos.jobs.setProgress(job.id, Number.NaN), InvalidArgumentError);
  const calculated = await repos.jobs.advance(job.id, 'calculated', { digit: 9 });
  t.match(calculated, { stage: 'calculated', progress: 1, digit: 9, finishedAt: null });
  const stored = await repos.jobs.advance(job.id, 'stored');
  t.match(stored, { stage: 'stored', progress: 1, digit: 9, fromCache: false });
  t.type(stored.finishedAt, 'number');
  t.ok(stored.updatedAt >= stored.createdAt);
  t.equal(await repos.jobs.setProgress(job.id, 0.5), false, 'no progress once final');
  const events = await repos.events.listForJob(job.id);
  t.same(events.map((e) => e.kind), ['registered', 'scheduled', 'taken', 'calculated', 'stored']);
  t.equal(events[2]!.detail, 'worker 1');
  t.ok(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id), 'oldest first');
});

t.test('answered from cache: registered straight to stored', async (t) => {
  const { repos } = await tempStore(t);
  const { job } = await repos.jobs.submit(3);
  const stored = await repos.jobs.advance(job.id, 'stored', { digit: 1, fromCache: true });
  t.match(stored, { stage: 'stored', digit: 1, fromCache: true, progress: 1 });
});

t.test('illegal moves throw StageError and change nothing', async (t) => {
  const { repos } = await tempStore(t);
  const { job } = await repos.jobs.submit(42);
  await repos.jobs.claimNext();
  await repos.jobs.advance(job.id, 'taken');
  const before = await repos.jobs.findById(job.id);
  const eventsBefore = await repos.events.listForJob(job.id);

  t.match(await caught(repos.jobs.advance(job.id, 'scheduled')), stageError('taken', 'scheduled'));
  await t.rejects(repos.jobs.advance(job.id, 'taken'), StageError, 'same stage');
  await t.rejects(repos.jobs.advance(job.id, 'registered'), { constructor: StageError, message: /only through retry/ });
  await t.rejects(repos.jobs.advance(job.id, 'calculated', { digit: 10 }), InvalidArgumentError);
  t.same(await repos.jobs.findById(job.id), before);
  t.same(await repos.events.listForJob(job.id), eventsBefore);

  await repos.jobs.advance(job.id, 'stored', { digit: 3 });
  t.match(await caught(repos.jobs.cancel(job.id)), stageError('stored', 'cancelled'));
  t.match(await caught(repos.jobs.fail(job.id, 'late')), stageError('stored', 'error'));
  await t.rejects(repos.jobs.retry(job.id, 'again'), StageError);
  await t.rejects(repos.jobs.advance(999, 'taken'), JobNotFoundError);

  const fresh = (await repos.jobs.submit(43)).job;
  t.match(await caught(repos.jobs.retry(fresh.id, 'no')), stageError('registered', 'registered'));
});

t.test('fail, cancel and retry', async (t) => {
  const { repos } = await tempStore(t);
  const a = (await repos.jobs.submit(1)).job;
  await repos.jobs.claimNext();
  await repos.jobs.advance(a.id, 'taken');
  const failed = await repos.jobs.fail(a.id, 'worker crashed');
  t.match(failed, { stage: 'error', error: 'worker crashed', errorStage: 'taken' });
  t.type(failed.finishedAt, 'number');
  const last = (await repos.events.listForJob(a.id)).at(-1)!;
  t.match(last, { kind: 'error', error: 'worker crashed' });

  const b = (await repos.jobs.submit(2)).job;
  const cancelled = await repos.jobs.cancel(b.id);
  t.match(cancelled, { stage: 'cancelled', error: null });
  await t.rejects(repos.jobs.cancel(b.id), StageError, 'cancelled is final');

  const c = (await repos.jobs.submit(3)).job;
  await repos.jobs.claimNext();
  await repos.jobs.advance(c.id, 'taken');
  await repos.jobs.setProgress(c.id, 0.5);
  const retried = await repos.jobs.retry(c.id, 'worker exited');
  t.match(retried, { stage: 'registered', progress: 0, startedAt: null, attempts: 1 });
  const again = await repos.jobs.claimNext();
  t.match(again, { id: c.id, attempts: 2 }, 'the next claim counts the attempt');
  const events = await repos.events.listForJob(c.id);
  t.same(events.map((e) => e.kind), ['registered', 'scheduled', 'taken', 'retried', 'scheduled']);
  t.equal(events[3]!.detail, 'worker exited');
});

t.test('submitting n again runs a job that ended in error or was cancelled; a stored or live one is left as it is', async (t) => {
  const { repos } = await tempStore(t);
  const a = (await repos.jobs.submit(1)).job;
  await repos.jobs.claimNext();
  await repos.jobs.advance(a.id, 'taken');
  await repos.jobs.setProgress(a.id, 0.5);
  await repos.jobs.fail(a.id, 'worker crashed');
  const again = await repos.jobs.submit(1);
  t.match(again, { created: false, resubmitted: true });
  t.match(again.job, { id: a.id, stage: 'registered', attempts: 0, progress: 0, error: null, errorStage: null, startedAt: null, finishedAt: null });
  const events = await repos.events.listForJob(a.id);
  t.same(events.map((e) => e.kind), ['registered', 'scheduled', 'taken', 'error', 'retried']);
  t.match(events.at(-1)!.detail, /submitted again after it ended \(error: worker crashed\)/);
  t.match(await repos.jobs.claimNext(), { id: a.id, attempts: 1 }, 'a fresh run: attempts count from zero');

  const b = (await repos.jobs.submit(2)).job;
  await repos.jobs.cancel(b.id);
  t.match(await repos.jobs.submit(2), { created: false, resubmitted: true, job: { stage: 'registered' } });

  const c = (await repos.jobs.submit(3)).job;
  await repos.jobs.advance(c.id, 'stored', { fromCache: true, digit: 1 });
  const stored = await repos.jobs.submit(3);
  t.match(stored, { created: false, resubmitted: false, job: { stage: 'stored' } }, 'stored stays stored');
  t.match(await repos.jobs.submit(2), { created: false, resubmitted: false, job: { stage: 'registered' } }, 'a live job is not registered twice');
  t.equal(await repos.jobs.count(), 3);
});

t.test('requeueUnfinished retries scheduled, taken and calculated jobs only', async (t) => {
  const { repos } = await tempStore(t);
  const ids: Record<string, number> = {};
  for (const [n, name] of [[1, 'registered'], [2, 'scheduled'], [3, 'taken'], [4, 'calculated'], [5, 'stored']] as const) {
    ids[name] = (await repos.jobs.submit(n)).job.id;
  }
  await repos.jobs.claimNext(); // n=1 → scheduled
  await repos.jobs.claimNext(); // n=2
  await repos.jobs.claimNext(); // n=3
  await repos.jobs.claimNext(); // n=4
  await repos.jobs.advance(ids.taken!, 'taken');
  await repos.jobs.advance(ids.calculated!, 'calculated', { digit: 5 });
  await repos.jobs.advance(ids.stored!, 'stored', { digit: 9 });
  await repos.jobs.retry(ids.registered!, 'put back'); // n=1 back to registered
  t.same(await repos.jobs.countByStage(), {
    registered: 1, scheduled: 1, taken: 1, calculated: 1, stored: 1, error: 0, cancelled: 0,
  });

  const requeued = await repos.jobs.requeueUnfinished('master restarted');
  t.same(requeued.map((j) => j.id).sort(), [ids.scheduled, ids.taken, ids.calculated].sort());
  t.ok(requeued.every((j) => j.stage === 'registered' && j.digit === null));
  t.same(await repos.jobs.countByStage(), {
    registered: 4, scheduled: 0, taken: 0, calculated: 0, stored: 1, error: 0, cancelled: 0,
  });
  t.match((await repos.events.listForJob(ids.taken!)).at(-1), { kind: 'retried', detail: 'master restarted' });
  t.same(await repos.jobs.requeueUnfinished('again'), [], 'nothing left to requeue');
});

t.test('a unit of work commits all or nothing', async (t) => {
  const store = await tempStore(t);
  const { repos, uow } = store;

  await t.rejects(
    uow.run(async (r) => {
      const { job } = await r.jobs.submit(11);
      await r.jobs.claimNext();
      await r.jobs.advance(job.id, 'taken');
      throw new Error('boom');
    }),
    /boom/,
  );
  t.equal(await repos.jobs.count(), 0, 'no partial job');
  t.same((await store.handle.kysely.selectFrom('job_events').selectAll().execute()), [], 'no partial event');

  await t.rejects(
    uow.run(async (r) => {
      const { job } = await r.jobs.submit(12);
      await r.jobs.advance(job.id, 'registered'); // illegal
    }),
    StageError,
  );
  t.equal(await repos.jobs.count(), 0, 'rolled back on StageError');

  const result = await uow.run(async (r) => {
    const { job } = await r.jobs.submit(13);
    const claimed = await r.jobs.claimNext();
    await r.digits.store('14159');
    return { job, claimed };
  });
  t.equal(result.claimed!.id, result.job.id);
  t.match(await repos.jobs.findByN(13), { stage: 'scheduled' }, 'committed');
  t.equal(await repos.digits.largestN(), 5);
});
