/**
 * Opening the database on Node: an embedded file (its folder created when missing, encrypted
 * when a key is configured) or a remote libSQL server, with the connection settings applied and
 * the migrations run. A database that cannot be opened is one `DatabaseOpenError` whose message
 * says which file and why, in a line.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import type { Config } from '../src/env';
import { prepareLibsql } from './client';
import { describeError, sqliteCode } from './errors';
import { migrateLibsql } from './migrate';

export type DatabaseSettings = Pick<Config, 'databaseUrl' | 'databaseAuthToken'> &
  Partial<Pick<Config, 'databaseEncryptionKey'>>;

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** The file of an embedded database URL (`file:data/forum.db`); undefined for a remote one. */
export function databaseFile(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('file:')) return undefined;
  const path = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  return path && path !== ':memory:' ? path : undefined;
}

/**
 * Opens, prepares and (unless `migrate: false`) migrates the database.
 * @throws DatabaseOpenError saying what is wrong with the file, its folder or the key
 */
export async function openLibsql(
  settings: DatabaseSettings,
  opts: { migrate?: boolean } = {},
): Promise<Client> {
  const embedded = settings.databaseUrl.startsWith('file:');
  const file = databaseFile(settings.databaseUrl);
  let client: Client | undefined;
  try {
    if (file) mkdirSync(dirname(resolve(file)), { recursive: true });
    client = createClient({
      url: settings.databaseUrl,
      authToken: settings.databaseAuthToken,
      encryptionKey: embedded ? settings.databaseEncryptionKey : undefined,
    });
    await prepareLibsql(client, { embedded });
    if (opts.migrate !== false) await migrateLibsql(client);
    return client;
  } catch (err) {
    client?.close();
    throw new DatabaseOpenError(whyNotOpened(err, settings));
  }
}

const FOLDER_ERRORS: Record<string, string> = {
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOSPC: 'the disk is full',
};

function whyNotOpened(err: unknown, settings: DatabaseSettings): string {
  const file = databaseFile(settings.databaseUrl);
  const errno = (err as NodeJS.ErrnoException).code;
  if (file && errno && FOLDER_ERRORS[errno] && (err as NodeJS.ErrnoException).syscall === 'mkdir') {
    return `cannot create the folder ${dirname(resolve(file))} for the database (DATABASE_URL): ${FOLDER_ERRORS[errno]} (${errno})`;
  }
  const where = file ? `the database file ${resolve(file)}` : 'the database at DATABASE_URL';
  const code = sqliteCode(err);
  switch (code) {
    case 'SQLITE_CANTOPEN':
      return `cannot open ${where} (SQLITE_CANTOPEN): check that the path names a file, not a folder, and that the forum may write to it and to its folder`;
    case 'SQLITE_READONLY':
      return `${where} is read-only (SQLITE_READONLY): the forum writes to the database file and to its folder`;
    case 'SQLITE_NOTADB':
      return settings.databaseEncryptionKey
        ? `${where} cannot be read with DATABASE_ENCRYPTION_KEY (SQLITE_NOTADB): it is encrypted with another key, not encrypted (see "npm run cli -- rekey"), or not a database`
        : `${where} is not a database the forum can read (SQLITE_NOTADB): it is encrypted (set DATABASE_ENCRYPTION_KEY) or not a SQLite database`;
    case 'SQLITE_FULL':
      return `no room to write ${where} (SQLITE_FULL): the disk is full`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `${where} is locked by another program (${code})`;
    case 'SQLITE_CORRUPT':
      return `${where} is damaged (SQLITE_CORRUPT): restore a backup with "npm run cli -- restore FILE"`;
    default:
      return `cannot open ${where}: ${describeError(err)}`;
  }
}
