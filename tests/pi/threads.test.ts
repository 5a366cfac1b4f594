// The worker-thread lanes load from TypeScript sources under tap, and terminating one interrupts a long BigInt operation.
import t from 'tap';
import { ThreadLane, threadScriptUrl } from '../../workers/pi/lanes.js';

t.test('the worker script is the one beside the sources', async (t) => {
  t.match(threadScriptUrl().pathname, /workers\/pi\/thread-main\.(ts|js)$/);
});

t.test('a thread lane runs operations and reports series progress', async (t) => {
  let terms = 0;
  const lane = new ThreadLane((k) => { terms += k; });
  try {
    await lane.call('series', { a: 1, b: 200, needP: true, keep: 1e9 });
    const parts = await lane.call<{ p: bigint; q: bigint }>('leftParts');
    t.type(parts.p, 'bigint');
    t.ok(parts.q > 0n);
    t.equal(terms, 199);
  } finally {
    lane.close();
  }
});
