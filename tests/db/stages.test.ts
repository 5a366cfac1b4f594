// The stage rules of db/stages.ts as a table: forward only, error/cancelled from live stages, retry to registered,
// resubmission of an ended job without digits.
// Pure: no database.
import t from 'tap';
import { checkMove, moveError, StageError, STAGES, type Stage } from '../../db/index.js';

const FORWARD: Stage[] = ['registered', 'scheduled', 'taken', 'calculated', 'stored'];

t.test('forward moves are allowed, including skips; backward and same-stage moves are not', async (t) => {
  for (const [i, from] of FORWARD.slice(0, -1).entries()) {
    for (const [j, to] of FORWARD.entries()) {
      const err = moveError(from, to);
      if (j > i) t.equal(err, null, `${from} → ${to}`);
      else t.type(err, 'string', `${from} → ${to} rejected`);
    }
  }
});

t.test('error and cancelled from every live stage, nothing out of a terminal one', async (t) => {
  for (const from of ['registered', 'scheduled', 'taken', 'calculated'] as Stage[]) {
    t.equal(moveError(from, 'error'), null, `${from} → error`);
    t.equal(moveError(from, 'cancelled'), null, `${from} → cancelled`);
  }
  for (const from of ['stored', 'error', 'cancelled'] as Stage[]) {
    for (const to of STAGES) {
      t.type(moveError(from, to), 'string', `${from} → ${to} rejected`);
      t.type(moveError(from, to, 'retry'), 'string', `retry ${from} → ${to} rejected`);
    }
  }
});

t.test('back to registered only by retry, and only from scheduled/taken/calculated', async (t) => {
  for (const from of ['scheduled', 'taken', 'calculated'] as Stage[]) {
    t.type(moveError(from, 'registered'), 'string', `advance ${from} → registered rejected`);
    t.equal(moveError(from, 'registered', 'retry'), null, `retry ${from} → registered`);
    t.type(moveError(from, 'stored', 'retry'), 'string', `a retry goes to registered only`);
  }
  t.type(moveError('registered', 'registered', 'retry'), 'string');
});

t.test('a resubmission takes a job that ended in error or was cancelled back to registered, and nothing else', async (t) => {
  for (const from of ['error', 'cancelled'] as Stage[]) {
    t.equal(moveError(from, 'registered', 'resubmit'), null, `resubmit ${from} → registered`);
    t.type(moveError(from, 'scheduled', 'resubmit'), 'string', 'a resubmission goes to registered only');
    t.type(moveError(from, 'registered'), 'string', `advance ${from} → registered rejected`);
    t.type(moveError(from, 'registered', 'retry'), 'string', `retry ${from} → registered rejected`);
  }
  for (const from of ['registered', 'scheduled', 'taken', 'calculated', 'stored'] as Stage[]) {
    t.type(moveError(from, 'registered', 'resubmit'), 'string', `resubmit ${from} rejected`);
  }
});

t.test('StageError names the current and the requested stage', async (t) => {
  const err = t.throws(() => checkMove('stored', 'taken')) as StageError;
  t.ok(err instanceof StageError);
  t.equal(err.from, 'stored');
  t.equal(err.to, 'taken');
  t.match(err.message, /'stored'.*'taken'/);
  t.doesNotThrow(() => checkMove('taken', 'calculated'));
});
