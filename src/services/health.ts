import { sql } from 'drizzle-orm';
import type { Db, WriteCheck } from '../../db/client';
import { type StorageProblem, StorageUnavailableError, storageFailure } from '../errors';

/** One cheap query that proves the database answers. */
export async function databaseAnswers(deps: { db: Db }): Promise<boolean> {
  try {
    const rows = await deps.db.all(sql`select 1 as ok`);
    return rows.length === 1;
  } catch {
    return false;
  }
}

/** How long a write refused for lack of storage keeps the forum "not ready". */
const REFUSAL_MEMORY_MS = 30_000;

/**
 * Whether writes can happen, for `/readyz`: the runtime's own check where it has one (an
 * embedded database: see `embeddedWriteCheck`), and the writes the database refused lately, which
 * is all a remote database (Turso, D1) shows. A refusal counts for 30 seconds after it happened.
 */
export class StorageHealth {
  private lastRefusal: { failure: StorageUnavailableError; at: number } | undefined;

  constructor(
    private readonly now: () => number,
    private readonly check?: WriteCheck,
  ) {}

  /** A write was refused for lack of storage (the page said so, or a best-effort write gave up). */
  noteRefusal(failure: StorageUnavailableError): void {
    this.lastRefusal = { failure, at: this.now() };
  }

  /** Why writes cannot happen now, or undefined when they can. */
  async writesRefused(): Promise<StorageUnavailableError | undefined> {
    const checked = await this.check?.();
    if (checked) return checked;
    const last = this.lastRefusal;
    if (last && this.now() - last.at < REFUSAL_MEMORY_MS) return last.failure;
    return undefined;
  }
}

export type Readiness =
  | { ready: true }
  | {
      ready: false;
      reason: StorageProblem | 'unreachable';
      message: string;
      retryAfterSeconds: number;
    };

/** Whether the forum can take writes: the database answers and accepts them. */
export async function readiness(deps: { db: Db; storage: StorageHealth }): Promise<Readiness> {
  if (!(await databaseAnswers(deps))) {
    return {
      ready: false,
      reason: 'unreachable',
      message: 'The database does not answer.',
      retryAfterSeconds: 30,
    };
  }
  const refused = await deps.storage
    .writesRefused()
    .catch(
      (err: unknown) =>
        storageFailure(err) ?? new StorageUnavailableError('unavailable', 'unknown'),
    );
  if (!refused) return { ready: true };
  return {
    ready: false,
    reason: refused.problem,
    message: refused.message,
    retryAfterSeconds: refused.retryAfterSeconds,
  };
}
