// Idle pi worker threads kept for the next computation (a thread costs ~70 ms to start), closed after a while unused.
// A lane comes back only after a clean run; an aborted or failed one is terminated instead.
import { ThreadLane } from './lanes.js';

/** How long an idle thread is kept. */
export const IDLE_MS = 15_000;
const MAX_IDLE = 2;

const idle: { lane: ThreadLane; timer: NodeJS.Timeout }[] = [];

/** A ready lane whose series progress goes to onTerms. */
export function acquireLane(onTerms: (terms: number) => void): ThreadLane {
  for (let e = idle.pop(); e; e = idle.pop()) {
    clearTimeout(e.timer);
    if (!e.lane.healthy) continue;
    e.lane.onTerms = onTerms;
    e.lane.keepAlive(true);
    return e.lane;
  }
  return new ThreadLane(onTerms);
}

/** Hands a lane back after a clean run: its state is dropped and it waits, not keeping the process alive. */
export async function releaseLane(lane: ThreadLane): Promise<void> {
  try {
    await lane.call('reset');
  } catch {
    lane.close();
    return;
  }
  if (!lane.healthy || idle.length >= MAX_IDLE) return lane.close();
  lane.onTerms = () => {};
  lane.keepAlive(false);
  const timer = setTimeout(() => {
    const i = idle.findIndex((e) => e.lane === lane);
    if (i >= 0) idle.splice(i, 1);
    lane.close();
  }, IDLE_MS);
  timer.unref();
  idle.push({ lane, timer });
}

/** Terminates the idle threads now (tests, shutdown). */
export function closeIdleLanes(): void {
  for (const e of idle.splice(0)) {
    clearTimeout(e.timer);
    e.lane.close();
  }
}
