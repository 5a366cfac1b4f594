// Memory and scale: the server's RSS while it holds many idle keep-alive connections, and its RSS along a long
// run of requests (after the first tenth and at the end) to show whether it grows.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { autocannon, type ClientContext } from './clients.js';
import { exited, pinned, sleep, withFdLimit } from './proc.js';
import type { ServerKind } from './serve-common.js';
import { startServer } from './servers.js';

export interface IdleResult {
  kind: ServerKind;
  asked: number;
  /** Connections that got their response and were still open when RSS was read. */
  open: number;
  failed: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  perConnectionBytes: number;
}

export interface GrowthResult {
  kind: ServerKind;
  samples: Array<{ requests: number; rssBytes: number }>;
  errors: number;
  rps: number;
}

const IDLE_CLIENT = fileURLToPath(new URL('./idle-client.js', import.meta.url));

function rssOf(server: { rss(): number | null }): number {
  const rss = server.rss();
  if (rss === null) throw new Error('the server process is gone');
  return rss;
}

/** The app server holding `count` idle keep-alive connections (each has made one GET /healthz). */
export async function idleConnections(kind: ServerKind, database: string, count: number, serverCore: string | null, ctx: ClientContext): Promise<IdleResult> {
  const server = await startServer({ suite: 'app', kind, database, core: serverCore, keepAliveTimeoutMs: 300_000 });
  try {
    const warm = await fetch(`${server.base}/healthz`);
    await warm.text();
    await sleep(500);
    const rssBeforeBytes = rssOf(server);
    const argv = withFdLimit(pinned(ctx.core, [process.execPath, IDLE_CLIENT, String(server.port), String(count), '/healthz']));
    const client = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = readline.createInterface({ input: client.stdout! })[Symbol.asyncIterator]();
      const next = async (ms: number): Promise<Record<string, number>> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`idle client: no answer in ${ms} ms`)), ms); });
        try {
          const r = await Promise.race([lines.next(), timeout]);
          if (r.done === true) throw new Error('idle client exited early');
          return JSON.parse(r.value) as Record<string, number>;
        } finally {
          clearTimeout(timer);
        }
      };
      const ready = await next(120_000);
      await sleep(1000);
      const rssAfterBytes = rssOf(server);
      client.stdin!.write('count\n');
      const { open } = await next(10_000);
      return {
        kind, asked: count, open: open!, failed: ready.failed!, rssBeforeBytes, rssAfterBytes,
        perConnectionBytes: open! > 0 ? (rssAfterBytes - rssBeforeBytes) / open! : 0,
      };
    } finally {
      client.stdin!.end();
      if (!(await exited(client, 10_000))) client.kill('SIGKILL');
    }
  } finally {
    await server.stop();
  }
}

/**
 * `total` requests to GET /healthz in `steps` autocannon runs of `total / steps` requests each (-c 100 -p 1: with
 * pipelining, autocannon's -a stops short or hangs), RSS read after each.
 */
export async function rssGrowth(kind: ServerKind, database: string, total: number, steps: number, serverCore: string | null, ctx: ClientContext): Promise<GrowthResult> {
  const server = await startServer({ suite: 'app', kind, database, core: serverCore });
  try {
    const samples: GrowthResult['samples'] = [];
    let done = 0;
    let errors = 0;
    let seconds = 0;
    const step = Math.ceil(total / steps);
    while (done < total) {
      const m = await autocannon({ url: `${server.base}/healthz`, method: 'GET' }, 0, 1, ctx, Math.min(step, total - done));
      done += m.requests;
      errors += m.errors;
      seconds += m.seconds;
      samples.push({ requests: done, rssBytes: rssOf(server) });
      if (m.requests === 0) throw new Error('autocannon made no requests');
    }
    return { kind, samples, errors, rps: done / seconds };
  } finally {
    await server.stop();
  }
}
