// Runs the app's lifespan scope (asgiref lifespan.rst): startup before the server listens, shutdown after it stops.
// An app that does not speak lifespan (it throws or returns at once) is run without it, like uvicorn's "auto" mode.

import type { App, LifespanScope, ReceiveMessage, SendMessage } from './interface.js';
import { InterfaceError } from './interface.js';

export class LifespanError extends Error {
  override name = 'LifespanError';
}

export class Lifespan {
  readonly state: Record<string, unknown> = {};
  private supported = true;
  private incoming: ReceiveMessage[] = [];
  private wakeReceiver: (() => void) | null = null;
  private waiting: { type: string; resolve: (m: SendMessage) => void } | null = null;
  private task: Promise<void> | null = null;
  private appError: unknown = null;

  constructor(private readonly app: App, private readonly log: (line: string) => void) {}

  async startup(): Promise<void> {
    const scope: LifespanScope = { type: 'lifespan', asgi: { version: '3.0', spec_version: '2.0' }, state: this.state };
    const done = new Promise<SendMessage | null>((resolve) => {
      this.waiting = { type: 'lifespan.startup', resolve };
      this.task = this.app(scope, this.receive, this.send).then(
        () => resolve(null),
        (err: unknown) => { this.appError = err; resolve(null); },
      );
    });
    this.push({ type: 'lifespan.startup' });
    const reply = await done;
    if (reply === null) {
      this.supported = false;
      if (this.appError !== null) this.log(`lifespan: the app does not support it (${(this.appError as Error)?.message ?? String(this.appError)}); continuing without`);
      return;
    }
    if (reply.type === 'lifespan.startup.failed') {
      throw new LifespanError(`application startup failed: ${reply.message ?? '(no message)'}`);
    }
  }

  async shutdown(): Promise<void> {
    if (!this.supported) return;
    const reply = await new Promise<SendMessage | null>((resolve) => {
      this.waiting = { type: 'lifespan.shutdown', resolve };
      void this.task?.then(() => resolve(null));
      this.push({ type: 'lifespan.shutdown' });
    });
    if (reply?.type === 'lifespan.shutdown.failed') this.log(`lifespan: application shutdown failed: ${reply.message ?? ''}`);
  }

  private push(m: ReceiveMessage): void {
    this.incoming.push(m);
    const w = this.wakeReceiver;
    this.wakeReceiver = null;
    w?.();
  }

  private readonly receive = async (): Promise<ReceiveMessage> => {
    while (this.incoming.length === 0) await new Promise<void>((r) => { this.wakeReceiver = r; });
    return this.incoming.shift()!;
  };

  private readonly send = async (m: SendMessage): Promise<void> => {
    const w = this.waiting;
    const expected = w === null ? null : w.type === 'lifespan.startup'
      ? ['lifespan.startup.complete', 'lifespan.startup.failed'] : ['lifespan.shutdown.complete', 'lifespan.shutdown.failed'];
    if (w === null || expected === null || !expected.includes(m.type)) {
      throw new InterfaceError(`Expected ${expected?.join(' or ') ?? 'no lifespan message'}, but the app sent ${m.type}`);
    }
    this.waiting = null;
    w.resolve(m);
  };
}
