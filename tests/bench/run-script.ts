// Runs one of the compiled bench scripts in a child process and collects what it printed (killed after a timeout).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptRun { code: number | null; stdout: string; stderr: string }

/** `node script ...args` from the project root; a run past `timeoutMs` is killed (code null). */
export function runScript(script: string, args: string[], timeoutMs: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** dist/bench/NAME, or null after failing `t` with what to do when it was not built. */
export function builtScript(t: Test, name: string): string | null {
  const path = join(ROOT, 'dist', 'bench', name);
  if (existsSync(path)) return path;
  t.fail(`${path} is missing: build first (make test does: npx tsc -p tsconfig.json)`);
  return null;
}
