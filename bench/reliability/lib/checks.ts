// What a fault scenario found: named checks (each passed or not, with the evidence) and measurements.

export interface Check { what: string; ok: boolean; detail?: string }

export class Report {
  readonly checks: Check[] = [];
  readonly measured: Record<string, unknown> = {};
  /** Findings: behaviour that works but should change (reported, not failed). */
  readonly findings: string[] = [];

  constructor(readonly scenario: string) {}

  check(what: string, ok: boolean, detail?: unknown): boolean {
    this.checks.push({ what, ok, ...(detail !== undefined ? { detail: typeof detail === 'string' ? detail : JSON.stringify(detail) } : {}) });
    return ok;
  }

  measure(name: string, value: unknown): void {
    this.measured[name] = value;
  }

  finding(text: string): void {
    this.findings.push(text);
  }

  get ok(): boolean {
    return this.checks.every((c) => c.ok);
  }

  /** A plain-text summary, one line per check. */
  text(): string {
    const lines = [`== ${this.scenario}: ${this.ok ? 'ok' : 'FAILED'}`];
    for (const c of this.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.what}${c.detail && !c.ok ? ` (${c.detail.slice(0, 500)})` : ''}`);
    for (const [k, v] of Object.entries(this.measured)) lines.push(`  measured ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    for (const f of this.findings) lines.push(`  finding: ${f}`);
    return lines.join('\n');
  }
}
