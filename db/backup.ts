/**
 * Backups of an embedded database, made while the server runs, and restoring one, which never
 * happens under a running server. Also changing the key of an encrypted database.
 *
 * - A backup is `VACUUM INTO`: one consistent snapshot, every table (the search index's too),
 *   compacted, in a new file encrypted with the same key as the database. It is checked before
 *   it counts: SQLite's integrity check, the search index's own check, and the rows of every
 *   table against the database's.
 * - A database is "in use" when another connection has it open: leaving WAL mode
 *   (`PRAGMA journal_mode = DELETE`) needs every other connection closed, so SQLite's own locks
 *   say whether a server (or any other program) holds it, whatever its process.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Client, createClient } from '@libsql/client';
import { sqliteCode } from './errors';
import { MIGRATIONS_DIR } from './migrate';
import { type DatabaseSettings, databaseFile, openLibsql } from './open';

/** What the copying thread (backup-worker.ts) is given, and what it answers. */
export type CopyOrder = { settings: DatabaseSettings; target: string };

export type CopyDone = {
  before: Record<string, number>;
  after: Record<string, number>;
  /** whether another connection wrote to the database while it was copied */
  changedMeanwhile: boolean;
};

/** Something a backup, a restore or a change of key refused or found wrong; nothing was changed. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table (the search index's and its shadow tables included) with its number of rows. */
export async function countRows(client: Client): Promise<Record<string, number>> {
  const { rows } = await client.execute(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const name = String(row.name);
    const counted = await client.execute(`SELECT count(*) AS n FROM ${quoted(name)}`);
    counts[name] = Number(counted.rows[0]?.n);
  }
  return counts;
}

/** What is wrong with a database file; empty when SQLite's and the search index's checks pass. */
export async function problemsOf(client: Client): Promise<string[]> {
  const checked = await client
    .execute('PRAGMA integrity_check')
    .catch((err: unknown) => ({ rows: [[`unreadable (${sqliteCode(err) ?? String(err)})`]] }));
  const problems = checked.rows.map((r) => String(r[0])).filter((line) => line !== 'ok');
  if (problems.length > 0) return problems.slice(0, 10);
  const fts = await client.execute("SELECT 1 FROM sqlite_schema WHERE name = 'posts_fts'");
  if (fts.rows.length > 0) {
    // FTS5's own check compares the index with its content; it writes nothing.
    await client
      .execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")
      .catch((err: unknown) =>
        problems.push(`the search index: ${sqliteCode(err) ?? String(err)}`),
      );
  }
  return problems;
}

export type Progress = { bytes: number; expectedBytes: number; elapsedMs: number };

export type BackupResult = {
  bytes: number;
  elapsedMs: number;
  counts: Record<string, number>;
  /** tables whose rows changed while they were copied (writes went on), with the copy's count */
  changedMeanwhile: string[];
};

/**
 * A database file opened as it is, with the configured key: no WAL mode, no migrations (which
 * belong to the server), so that checking a backup leaves nothing beside it.
 * @throws BackupError when it cannot be opened or read with the key
 */
async function openFile(settings: DatabaseSettings, file: string, what: string): Promise<Client> {
  let client: Client | undefined;
  try {
    client = createClient({ url: `file:${file}`, encryptionKey: settings.databaseEncryptionKey });
    // Opening reads nothing yet: the schema is where a wrong key or a foreign file shows.
    await client.execute('SELECT count(*) FROM sqlite_schema');
    return client;
  } catch (err) {
    client?.close();
    const code = sqliteCode(err);
    const keyed = settings.databaseEncryptionKey;
    if (code === 'SQLITE_NOTADB') {
      throw new BackupError(
        keyed
          ? `${what} cannot be read with the configured DATABASE_ENCRYPTION_KEY: it is not a database, or it is encrypted with another key.`
          : `${what} cannot be read: it is not a database, or it is encrypted (set DATABASE_ENCRYPTION_KEY).`,
      );
    }
    if (code === 'SQLITE_CORRUPT') throw new BackupError(`${what} is damaged (SQLITE_CORRUPT).`);
    throw new BackupError(`${what} cannot be opened (${code ?? String(err)}).`);
  }
}

function embeddedFile(settings: DatabaseSettings, doing: string): string {
  const file = databaseFile(settings.databaseUrl);
  if (!file) {
    throw new BackupError(
      `DATABASE_URL is not an embedded database (file:…): ${doing} works on the file. For Turso and D1 see "Backups" in the README.`,
    );
  }
  return resolve(file);
}

/**
 * Copies the database to `target` (a new file) while the server may run, and checks the copy.
 * @throws BackupError when the target exists or the copy does not pass its checks (it is removed)
 */
export async function backupDatabase(
  settings: DatabaseSettings,
  target: string,
  onProgress: (p: Progress) => void = () => {},
): Promise<BackupResult> {
  const source = embeddedFile(settings, 'a backup');
  const to = resolve(target);
  if (to === source) throw new BackupError('The backup cannot be the database itself.');
  if (existsSync(to)) throw new BackupError(`${target} exists already: choose a new file.`);
  if (!existsSync(source)) throw new BackupError(`There is no database at ${source}.`);
  mkdirSync(dirname(to), { recursive: true });

  const sizer = await openLibsql(settings, { migrate: false });
  const { rows } = await sizer.execute(
    'SELECT (p.page_count - f.freelist_count) * s.page_size AS bytes FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s',
  );
  sizer.close();
  const expectedBytes = Number(rows[0]?.bytes);

  const started = performance.now();
  const sizeNow = () => (existsSync(to) ? statSync(to).size : 0);
  const ticker = setInterval(() => {
    onProgress({ bytes: sizeNow(), expectedBytes, elapsedMs: performance.now() - started });
  }, 500);
  let copied: CopyDone;
  try {
    copied = await new Promise<CopyDone>((done, fail) => {
      const order: CopyOrder = { settings, target: to };
      const worker = new Worker(new URL('./backup-worker.ts', import.meta.url), {
        workerData: order,
      });
      worker.once('message', done);
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new BackupError(`The copy stopped (exit code ${code}).`)));
    });
  } catch (err) {
    rmSync(to, { force: true });
    throw err;
  } finally {
    clearInterval(ticker);
  }
  const elapsedMs = performance.now() - started;

  const copy = await openFile(settings, to, 'The copy');
  let problems: string[];
  let counts: Record<string, number>;
  try {
    problems = await problemsOf(copy);
    counts = await countRows(copy);
  } finally {
    copy.close();
  }
  const changedMeanwhile: string[] = [];
  for (const [table, before] of Object.entries(copied.before)) {
    const after = copied.after[table] ?? before;
    const inCopy = counts[table];
    if (inCopy === undefined) problems.push(`the table ${table} is missing`);
    else if (inCopy !== before || inCopy !== after) {
      // Writes went on beside the copy: its snapshot is of a moment between the two counts.
      if (copied.changedMeanwhile) changedMeanwhile.push(`${table} (${inCopy})`);
      else problems.push(`${table} has ${inCopy} rows, the database ${before}`);
    }
  }
  if (problems.length > 0) {
    rmSync(to, { force: true });
    throw new BackupError(`The copy failed its check, so it was removed: ${problems.join('; ')}.`);
  }
  return { bytes: statSync(to).size, elapsedMs, counts, changedMeanwhile };
}

/**
 * Whether another connection (a running server, the command line, any SQLite tool) has the
 * database open. When not, the database is left in rollback-journal mode with its WAL written
 * into the file, ready to be moved or rewritten; the server sets WAL mode again when it opens it.
 */
async function holdAlone(settings: DatabaseSettings, file: string): Promise<void> {
  const client = await openFile(settings, file, file);
  try {
    await client.execute('PRAGMA busy_timeout = 0');
    await client.execute('PRAGMA journal_mode = DELETE');
  } catch (err) {
    const code = sqliteCode(err);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BackupError(
        `${file} is in use: the server (or another program) has it open. Stop it first; nothing was changed.`,
      );
    }
    if (code === 'SQLITE_NOTADB') {
      throw new BackupError(
        `${file} cannot be read with the configured DATABASE_ENCRYPTION_KEY; nothing was changed.`,
      );
    }
    throw err;
  } finally {
    client.close();
  }
}

/** The newest migration this version of the forum knows (drizzle's `created_at`). */
function newestKnownMigration(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((e) => e.when));
}

export type RestoreResult = {
  counts: Record<string, number>;
  /** where the database that was replaced is kept, if there was one */
  keptAs: string | undefined;
};

/**
 * Puts the backup `from` in place of the database. The backup is copied beside the database and
 * checked first; the database must not be in use; the one it replaces is kept beside it.
 * @throws BackupError for a backup that fails its checks or a database in use; nothing changed
 */
export async function restoreDatabase(
  settings: DatabaseSettings,
  from: string,
  now: Date = new Date(),
): Promise<RestoreResult> {
  const target = embeddedFile(settings, 'a restore');
  const source = resolve(from);
  if (source === target) throw new BackupError('That is the database itself.');
  if (!existsSync(source) || !statSync(source).isFile()) {
    throw new BackupError(`There is no backup file ${from}.`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const staged = `${target}.restoring-${process.pid}`;
  await copyFile(source, staged);
  let counts: Record<string, number>;
  try {
    const copy = await openFile(settings, staged, from);
    try {
      const problems = await problemsOf(copy);
      if (problems.length > 0) throw new BackupError(`${from} is damaged: ${problems.join('; ')}.`);
      counts = await countRows(copy);
      if (counts.posts === undefined || counts.__drizzle_migrations === undefined) {
        throw new BackupError(`${from} is not a backup of the forum: it has no posts table.`);
      }
      const newest = await copy.execute('SELECT max(created_at) AS at FROM __drizzle_migrations');
      if (Number(newest.rows[0]?.at) > newestKnownMigration()) {
        throw new BackupError(
          `${from} was made by a newer version of the forum: restore it with that version.`,
        );
      }
      await copy.execute('PRAGMA journal_mode = DELETE');
    } finally {
      copy.close();
    }
    let keptAs: string | undefined;
    if (existsSync(target)) {
      await holdAlone(settings, target);
      keptAs = `${target}.before-restore-${now.toISOString().replaceAll(/[:.]/g, '-')}`;
      renameSync(target, keptAs);
      // After leaving WAL mode nothing should be left; a stale WAL would be applied to the new file.
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(target + suffix)) renameSync(target + suffix, keptAs + suffix);
      }
    }
    renameSync(staged, target);
    return { counts, keptAs };
  } finally {
    rmSync(staged, { force: true });
  }
}

/**
 * Encrypts the database with `newKey`, changes its key, or (`newKey` undefined) decrypts it.
 * SQLite rewrites every page; the server must be stopped (libSQL cannot change the key of a
 * database in WAL mode, and the server keeps it open). DATABASE_ENCRYPTION_KEY is the current key.
 * @throws BackupError when the database is in use or cannot be read with the current key
 */
export async function rekeyDatabase(
  settings: DatabaseSettings,
  newKey: string | undefined,
): Promise<void> {
  const file = embeddedFile(settings, 'changing the key');
  if (!existsSync(file)) throw new BackupError(`There is no database at ${file}.`);
  await holdAlone(settings, file);
  const client = await openFile(settings, file, file);
  try {
    await client.execute(`PRAGMA rekey = '${(newKey ?? '').replaceAll("'", "''")}'`);
    await client.execute('PRAGMA journal_mode = WAL');
  } finally {
    client.close();
  }
  const reopened = await openFile({ ...settings, databaseEncryptionKey: newKey }, file, file);
  try {
    const problems = await problemsOf(reopened);
    if (problems.length > 0) throw new BackupError(`After the change: ${problems.join('; ')}.`);
  } finally {
    reopened.close();
  }
}
