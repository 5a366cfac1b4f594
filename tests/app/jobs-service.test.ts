// The job service between the app and the pool: submitting the n of a job that ended runs it again, unless its
// worker is still letting go of it (then 409, and nothing changes).

import t from 'tap';
import { JobService, type JobRunner } from '../../app/jobs.js';
import { LiveFeed } from '../../app/live.js';
import { tempStore } from '../db/fixtures/helpers.js';

t.test("a job that just ended is not run again while the pool still acts on it", async (t) => {
  const store = await tempStore(t);
  let busy = true;
  let notified = 0;
  const runner: JobRunner = { notify: () => { notified++; }, cancel: async () => true, busyWith: () => busy };
  const jobs = new JobService(store.repos, runner, new LiveFeed(), 1000);
  const { job } = await jobs.submit(7);
  await store.repos.jobs.cancel(job.id);
  const events = (await store.repos.events.listForJob(job.id)).length;
  notified = 0;

  await t.rejects(jobs.submit(7), { status: 409, message: /the job for n=7 has just ended \(cancelled\) and its worker is still letting go of it; submit it again in a moment/ });
  t.match(await store.repos.jobs.findById(job.id), { stage: 'cancelled' }, 'nothing changed');
  t.equal((await store.repos.events.listForJob(job.id)).length, events, 'no event either');
  t.equal(notified, 0);

  busy = false;
  t.match(await jobs.submit(7), { created: false, resubmitted: true, job: { stage: 'registered' } });
  t.equal(notified, 1, 'the pool is told there is work');
});
