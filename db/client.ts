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
  if ('libsql' in source) return drizzleLibsql(source.libsql, config) as unknown as Db;
  return drizzleD1(source.d1, config) as unknown as Db;
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

export { schema };
