// A unit of work: run(async repos => ...) commits everything the function did, or nothing if it throws.
// One BEGIN IMMEDIATE transaction per run; inside, use only the given repos (the handle's connection is held).
import type { DatabaseHandle } from './database.js';
import { repositories, type Repositories } from './repositories/index.js';

export class UnitOfWork {
  constructor(private readonly h: DatabaseHandle) {}

  run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.h.kysely.transaction().execute((trx) => fn(repositories(trx)));
  }
}
