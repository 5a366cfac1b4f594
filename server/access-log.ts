// The access log: one line per response in Common Log Format plus the duration, written in batches.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface AccessEntry {
  client: string;
  method: string;
  target: string;
  version: string;
  status: number;
  bytes: number;
  durationMs: number;
}

export function formatAccess(e: AccessEntry, now = new Date()): string {
  return `${e.client} - - [${clfDate(now)}] "${e.method} ${e.target} HTTP/${e.version}" ${e.status} ${e.bytes || '-'} ${e.durationMs.toFixed(3)}ms`;
}

/** Collects lines and writes them once per event-loop turn, so logging costs one write per batch. */
export class AccessLog {
  private lines: string[] = [];
  private scheduled = false;

  constructor(private readonly write: (text: string) => void) {}

  record(entry: AccessEntry): void {
    this.lines.push(formatAccess(entry));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    this.write(text);
  }
}
