// Starts a bench server (bench/serve-hello.js or bench/serve-app.js) in its own process, pinned to the server core,
// with a raised open-file limit, on 127.0.0.1 and a free port; stops it with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './serve-common.js';
import { exited, pinned, rssBytes, withFdLimit } from './proc.js';

export type Suite = 'hello' | 'app';

export interface ServerSpec {
  suite: Suite;
  kind: ServerKind;
  /** The SQLite file for the app suite. */
  database?: string;
  keepAliveTimeoutMs?: number;
  core: string | null;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  base: string;
  rss(): number | null;
  stderr(): string;
  stop(): Promise<void>;
}

/** Server processes not yet stopped, so that an interrupted bench leaves none behind. */
const live = new Set<ChildProcess>();

export function killServers(): void {
  for (const child of live) child.kill('SIGKILL');
}

const SCRIPTS: Record<Suite, string> = {
  hello: fileURLToPath(new URL('./serve-hello.js', import.meta.url)),
  app: fileURLToPath(new URL('./serve-app.js', import.meta.url)),
};

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const args = [SCRIPTS[spec.suite], spec.kind, '0'];
  if (spec.suite === 'app') {
    if (spec.database === undefined) throw new Error('the app suite needs a database');
    args.push(spec.database);
  }
  if (spec.keepAliveTimeoutMs !== undefined) args.push('--keep-alive-timeout', String(spec.keepAliveTimeoutMs));
  const argv = withFdLimit(pinned(spec.core, [process.execPath, ...(spec.nodeFlags ?? []), ...args]));
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-20_000); });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${spec.kind} ${spec.suite} server did not start in 20 s: ${stderr}`)), 20_000);
    function fail(err: Error) { clearTimeout(timer); child.kill('SIGKILL'); reject(err); }
    child.on('exit', (code) => fail(new Error(`${spec.kind} ${spec.suite} server exited (${code}) before listening: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve((JSON.parse(line) as { listening: number }).listening);
      }
    });
  });
  const pid = child.pid!;
  return {
    kind: spec.kind, pid, port, base: `http://127.0.0.1:${port}`,
    rss: () => rssBytes(pid),
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      if (!(await exited(child, 5000))) {
        child.kill('SIGKILL');
        await exited(child, 2000);
      }
    },
  };
}
