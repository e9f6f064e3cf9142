/**
 * createDb(source): one drizzle database over libSQL (embedded file or Turso) or a D1 binding.
 * This module opens no connection itself: the entries (src/server.ts, src/worker.ts) make the
 * client their runtime needs and pass it in.
 */
import type { Client } from '@libsql/client';
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web';
import type { Logger } from 'drizzle-orm/logger';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { BatchError, StorageUnavailableError, sqlShape, storageFailure } from './errors';
import * as schema from './schema';

export type Schema = typeof schema;

/**
 * The database as the forum uses it: the query builder shared by libSQL and D1, plus `batch`,
 * which both have (atomic on both; D1 has no interactive transactions, so nothing here uses them).
 */
export type Db = BaseSQLiteDatabase<'async', unknown, Schema> & {
  batch<U extends BatchItem<'sqlite'>, T extends Readonly<[U, ...U[]]>>(
    batch: T,
  ): Promise<BatchResponse<T>>;
};

export type DbSource = { libsql: Client } | { d1: D1Database };

export type DbOptions = {
  /** sees every query with its parameters; for tests of query plans, never for production logs */
  logger?: Logger;
};

/**
 * A query built once per database and then only run, with `sql.placeholder` values: for the reads
 * every page makes, drizzle's building of the SQL costs more than SQLite's work.
 */
export function preparedPerDb<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

export function createDb(source: DbSource, options: DbOptions = {}): Db {
  const config = { schema, logger: options.logger ?? false };
  const db =
    'libsql' in source ? drizzleLibsql(source.libsql, config) : drizzleD1(source.d1, config);
  return withNamedBatches(db as unknown as Db);
}

/**
 * A failed batch says which statements it had (their shapes, never their values), so that the
 * log can tell a refused reply from a refused sign-in: drizzle passes the driver's error on bare.
 */
function withNamedBatches(db: Db): Db {
  const batch = db.batch.bind(db);
  db.batch = (async (items: readonly BatchItem<'sqlite'>[]) => {
    try {
      return await batch(items as [BatchItem<'sqlite'>]);
    } catch (err) {
      throw new BatchError(
        items.map((q) => sqlShape((q as { toSQL?: () => { sql: string } }).toSQL?.().sql ?? '')),
        err,
      );
    }
  }) as Db['batch'];
  return db;
}

/**
 * Connection settings for an embedded or remote libSQL database. Foreign keys are enforced
 * (D1 always enforces them) and deleted personal data is overwritten, not left in free pages.
 */
export async function prepareLibsql(client: Client, opts: { embedded: boolean }): Promise<void> {
  await client.execute('PRAGMA foreign_keys = ON');
  if (opts.embedded) {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA busy_timeout = 5000');
    await client.execute('PRAGMA secure_delete = ON');
    await client.execute('PRAGMA synchronous = NORMAL');
  }
}

/**
 * Whether the database would take a write now, without writing: the answer for `/readyz`.
 * Returns the reason it would not, or undefined.
 */
export type WriteCheck = () => Promise<StorageUnavailableError | undefined>;

/**
 * For an embedded database: `BEGIN IMMEDIATE` then `COMMIT` of nothing takes the write lock and
 * writes no byte (a read-only file or file system, or a lock another program holds past the busy
 * timeout, refuse it); SQLite's page counts show a database at its size limit
 * (`PRAGMA max_page_count`) with no free page left. A probe that really wrote a row would fit
 * in pages the file already has and answer "ready" on a full disk, and would write on every call.
 */
export function embeddedWriteCheck(client: Client): WriteCheck {
  return async () => {
    try {
      await client.batch([], 'write');
      const { rows } = await client.execute(
        'SELECT p.page_count AS pages, m.max_page_count AS max, f.freelist_count AS free FROM pragma_page_count() p, pragma_max_page_count() m, pragma_freelist_count() f',
      );
      const size = rows[0];
      if (size && Number(size.pages) >= Number(size.max) && Number(size.free) === 0) {
        return new StorageUnavailableError('full', 'SQLITE_FULL');
      }
      return undefined;
    } catch (err) {
      const failure = storageFailure(err);
      if (failure) return failure;
      throw err;
    }
  };
}

export { schema };
