// Words for how a worker process ended, used in log lines and as the error text of a job
// whose worker died ("worker crashed: killed by SIGKILL").

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  // V8 aborts (SIGABRT, or exit code 134 through a shell) when the heap is exhausted.
  const oom = signal === 'SIGABRT' || code === 134 ? ' (out of memory?)' : '';
  if (signal) return `killed by ${signal}${oom}`;
  return `exited with code ${code ?? 'unknown'}${oom}`;
}
