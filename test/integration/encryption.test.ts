/**
 * Encryption at rest: the real server with DATABASE_ENCRYPTION_KEY writes no post text and no
 * email address into its files, its backups are encrypted too, and the key can be changed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listening,
  QUIET_ENV,
  replyOver,
  runCli,
  type ServerProcess,
  signUpOver,
  someTopic,
  spawnServer,
  stop,
} from '../support/server-process';

let dir: string;
let file: string;
let server: ServerProcess;
let url: string;

const KEY = 'the first key of the forum, long enough';
const NEW_KEY = 'a second key, after a rotation';
const TEXT = 'Plaintext-that-must-never-reach-the-disk about my router';
const PERSON = 'encrypted_person';
const EMAIL = `${PERSON}@mail.example`;

const SLOW = { timeout: 120_000 };

const env = (key: string | undefined) => ({
  ...QUIET_ENV,
  DATABASE_URL: `file:${file}`,
  ...(key ? { DATABASE_ENCRYPTION_KEY: key } : {}),
});

/** Whether any of the database's files (or `files`) hold `text`, in UTF-8 or UTF-16. */
function onDisk(text: string, files = [file, `${file}-wal`]): boolean {
  return files
    .filter((f) => existsSync(f))
    .some((f) => {
      const bytes = readFileSync(f);
      return (
        bytes.includes(Buffer.from(text, 'utf8')) || bytes.includes(Buffer.from(text, 'utf16le'))
      );
    });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-encrypted-'));
  file = join(dir, 'forum.db');
  server = spawnServer(env(KEY));
  url = await listening(server);
  const cookie = await signUpOver(url, PERSON);
  expect(await replyOver(url, cookie, (await someTopic(url)).id, TEXT)).toBe(303);
}, 120_000);

afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('DATABASE_ENCRYPTION_KEY', () => {
  it('keeps post text and email addresses out of the database file and its WAL', async () => {
    // while the server runs, with the reply still in the WAL
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(onDisk(TEXT)).toBe(false);
    expect(onDisk(EMAIL)).toBe(false);
    expect(onDisk('Acme Backup Pro')).toBe(false); // the demo content's text
    // and the forum reads it back
    const page = await (await fetch(`${url}/u/${PERSON}`)).text();
    expect(page).toContain('Plaintext-that-must-never-reach-the-disk');
  });

  it('makes backups that are encrypted with the same key', SLOW, async () => {
    const backup = join(dir, 'backup.db');
    const run = await runCli(['backup', backup], env(KEY));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('The copy is encrypted with DATABASE_ENCRYPTION_KEY.');
    expect(onDisk(TEXT, [backup])).toBe(false);
    expect(onDisk(EMAIL, [backup])).toBe(false);
    const keyless = createClient({ url: `file:${backup}` });
    await expect(keyless.execute('SELECT count(*) FROM users')).rejects.toThrow(/SQLITE_NOTADB/);
    keyless.close();
    const copy = createClient({ url: `file:${backup}`, encryptionKey: KEY });
    const rows = await copy.execute({
      sql: 'SELECT email FROM users WHERE email = ?',
      args: [EMAIL],
    });
    expect(rows.rows).toHaveLength(1);
    copy.close();
  });

  it('cannot be changed while the server runs', SLOW, async () => {
    const run = await runCli(['rekey'], env(KEY), `${NEW_KEY}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is in use');
  });

  it(
    'changes with rekey once the server is stopped: the old key no longer opens it',
    SLOW,
    async () => {
      expect(await stop(server)).toEqual({ code: 0, signal: null });
      expect(onDisk(TEXT)).toBe(false);

      const short = await runCli(['rekey'], env(KEY), 'short\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toContain(
        'The new key (on standard input) must be at least 16 characters',
      );

      const run = await runCli(['rekey'], env(KEY), `${NEW_KEY}\n`);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(onDisk(TEXT)).toBe(false);

      const withOld = spawnServer(env(KEY));
      expect((await withOld.exited).code).toBe(1);
      expect(withOld.stderr()).toContain(
        'cannot be read with DATABASE_ENCRYPTION_KEY (SQLITE_NOTADB)',
      );

      server = spawnServer(env(NEW_KEY));
      url = await listening(server);
      expect(await (await fetch(`${url}/u/${PERSON}`)).text()).toContain(
        'Plaintext-that-must-never-reach-the-disk',
      );
      expect(await stop(server)).toEqual({ code: 0, signal: null });
    },
  );

  it('encrypts a database that was not, and decrypts one', SLOW, async () => {
    const decrypted = await runCli(['rekey', '--decrypt'], env(NEW_KEY));
    expect(decrypted.code, decrypted.stderr).toBe(0);
    expect(onDisk(EMAIL)).toBe(true);

    const encrypted = await runCli(['rekey'], env(undefined), `${KEY}\n`);
    expect(encrypted.code, encrypted.stderr).toBe(0);
    expect(onDisk(EMAIL)).toBe(false);
    const db = createClient({ url: `file:${file}`, encryptionKey: KEY });
    expect((await db.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
    db.close();
  });
});
