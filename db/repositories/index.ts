// The repositories over one Kysely database or transaction; build them per transaction to share it.
// repositories(trx) inside a unit of work makes every call part of that transaction.
import type { Db } from '../transaction.js';
import { ChangesRepository } from './changes.js';
import { DigitsRepository } from './digits.js';
import { EventsRepository } from './events.js';
import { JobsRepository } from './jobs.js';

export { ChangesRepository } from './changes.js';
export { DigitsRepository, DIGIT_CHUNK_SIZE } from './digits.js';
export { EventsRepository, type AppendEvent } from './events.js';
export { JobsRepository, MAX_PAGE_SIZE, type AdvanceOptions, type JobPage } from './jobs.js';

export interface Repositories {
  jobs: JobsRepository;
  events: EventsRepository;
  digits: DigitsRepository;
  changes: ChangesRepository;
}

export function repositories(db: Db): Repositories {
  return { jobs: new JobsRepository(db), events: new EventsRepository(db), digits: new DigitsRepository(db), changes: new ChangesRepository(db) };
}
