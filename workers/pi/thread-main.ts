// Entry of a pi worker thread: runs lane operations asked by compute.ts over the parent port, posting series progress.
// Messages in: { id, op, args }. Out: { id, result } | { id, error } | { progress: terms }.
import { parentPort } from 'node:worker_threads';
import { LaneState, laneOps, type LaneOp } from './ops.js';

const PROGRESS_MS = 100;

if (parentPort) {
  const port = parentPort;
  const state = new LaneState();
  let pending = 0;
  let last = performance.now();
  const tick = (terms: number): void => {
    pending += terms;
    if ((pending & 255) === 0) {
      const now = performance.now();
      if (now - last >= PROGRESS_MS) {
        last = now;
        port.postMessage({ progress: pending });
        pending = 0;
      }
    }
  };
  port.on('message', (msg: { id: number; op: LaneOp; args: unknown }) => {
    const fn = laneOps[msg.op] as (st: LaneState, args: unknown, h: { tick: typeof tick }) => Promise<unknown>;
    fn(state, msg.args, { tick }).then(
      (result) => {
        if (pending > 0) port.postMessage({ progress: pending });
        pending = 0;
        port.postMessage({ id: msg.id, result });
      },
      (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
}
