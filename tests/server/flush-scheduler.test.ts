// The flush scheduler: every connection read in one event-loop turn is flushed once, in order, after the turn's
// callbacks; one scheduled while flushes run waits for the next turn; turn after turn, nothing is lost or repeated.

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
