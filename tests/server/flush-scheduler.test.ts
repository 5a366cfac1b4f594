// The flush scheduler: every connection read in one event-loop turn is flushed once, in order, after the turn's
// callbacks; one scheduled while flushes run waits for the next turn; turn after turn, nothing is lost or repeated;
// its two arrays keep their storage and hold no connection once flushed, even after a flush that threw.

import t from 'tap';
import { FlushScheduler, type Flushable } from '../../server/flush-scheduler.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recorder(log: string[], name: string, onFlush?: () => void): Flushable {
  return { flushOutbox: () => { log.push(name); onFlush?.(); } };
}

t.test('a turn\'s connections are flushed once each, in order, after the turn', async (t) => {
  const s = new FlushScheduler();
  const log: string[] = [];
  for (const name of ['a', 'b', 'c']) s.schedule(recorder(log, name));
  t.same(log, [], 'nothing is flushed while the turn runs');
  await nextTurn();
  t.same(log, ['a', 'b', 'c']);
});

t.test('one scheduled during a flush goes in the next turn, not lost and not in this one', async (t) => {
  const s = new FlushScheduler();
  const log: string[] = [];
  const late = recorder(log, 'late');
  s.schedule(recorder(log, 'first', () => s.schedule(late)));
  s.schedule(recorder(log, 'second'));
  await nextTurn();
  t.same(log, ['first', 'second'], 'the late one waits');
  await nextTurn();
  t.same(log, ['first', 'second', 'late']);
});

t.test('turn after turn, with fewer connections than before, only the new ones are flushed', async (t) => {
  const s = new FlushScheduler();
  const log: string[] = [];
  for (const [turn, count] of [[1, 5], [2, 2], [3, 0], [4, 7], [5, 1]] as const) {
    for (let i = 0; i < count; i++) s.schedule(recorder(log, `${turn}.${i}`));
    await nextTurn();
  }
  t.same(log, ['1.0', '1.1', '1.2', '1.3', '1.4', '2.0', '2.1', '4.0', '4.1', '4.2', '4.3', '4.4', '4.5', '4.6', '5.0']);
});

/** The scheduler's private arrays, to see that they are kept and emptied (the point of keeping them). */
function arrays(s: FlushScheduler): Array<Array<Flushable | undefined>> {
  const inside = s as unknown as { queue: Array<Flushable | undefined>; spare: Array<Flushable | undefined> };
  return [inside.queue, inside.spare];
}

t.test('the two arrays are reused turn after turn and hold no connection after a flush', async (t) => {
  const s = new FlushScheduler();
  const log: string[] = [];
  for (let i = 0; i < 20; i++) s.schedule(recorder(log, `a${i}`));
  await nextTurn();
  for (let i = 0; i < 20; i++) s.schedule(recorder(log, `b${i}`));
  await nextTurn();
  const [first, second] = arrays(s);
  t.equal(first!.length, 20, 'an array keeps the length it reached (its storage is not freed)');
  t.equal(second!.length, 20);
  t.ok([...first!, ...second!].every((slot) => slot === undefined), 'every slot is cleared');
  for (let i = 0; i < 3; i++) s.schedule(recorder(log, `c${i}`));
  await nextTurn();
  t.same(arrays(s).map((a) => a.length).sort(), [20, 20], 'the same arrays again, not new ones');
  t.same(log.slice(40), ['c0', 'c1', 'c2'], 'only the new connections were flushed');
});

t.test('a flush that throws leaves the arrays empty and the next turns working', async (t) => {
  const s = new FlushScheduler();
  const log: string[] = [];
  s.schedule(recorder(log, 'before'));
  s.schedule({ flushOutbox: () => { throw new Error('flush failed'); } });
  s.schedule(recorder(log, 'after'));
  // The turn's run, called here so that the throw reaches the test (from setImmediate it would be uncaught).
  const run = (s as unknown as { run: () => void }).run;
  t.throws(run, /flush failed/);
  t.ok(arrays(s).every((a) => a.every((slot) => slot === undefined)), 'no slot keeps a connection after the throw');
  await nextTurn(); // the run setImmediate had scheduled finds nothing left
  s.schedule(recorder(log, 'next'));
  await nextTurn();
  t.same(log, ['before', 'next'], 'the connections after the throw are dropped (being torn down), the next turn runs');
});
