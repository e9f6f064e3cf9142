/**
 * Storage faults for a test forum, made with SQLite's own limits on the forum's connection: a
 * database at its size limit (what a full disk looks like to the forum: writes that need a new
 * page fail with SQLITE_FULL) and a read-only database (every write fails with SQLITE_READONLY).
 */
import type { Client } from '@libsql/client';

async function pragma(client: Client, name: string): Promise<number> {
  const { rows } = await client.execute(`PRAGMA ${name}`);
  return Number(rows[0]?.[0]);
}

/** The database cannot grow by a page: no free page is left and the size limit is its size. */
export async function fillDatabase(client: Client): Promise<void> {
  if ((await pragma(client, 'freelist_count')) > 0) await client.execute('VACUUM');
  const pages = await pragma(client, 'page_count');
  await client.execute(`PRAGMA max_page_count = ${pages}`);
  if ((await pragma(client, 'max_page_count')) !== pages) {
    throw new Error('the size limit did not take: the database grew meanwhile');
  }
}

/** Every write is refused, as on a read-only file or file system. */
export async function makeReadOnly(client: Client): Promise<void> {
  await client.execute('PRAGMA query_only = ON');
}

/** Writes work again: the disk was cleaned up, the file system remounted. */
export async function allowWrites(client: Client): Promise<void> {
  await client.execute('PRAGMA query_only = OFF');
  await client.execute('PRAGMA max_page_count = 4294967294');
}
