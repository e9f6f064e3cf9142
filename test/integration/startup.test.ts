/**
 * A server that cannot start says why in one line on stderr and exits with code 1: the real
 * process, with a folder it cannot create, a database path it cannot open, a file that is not a
 * database, a wrong encryption key, a port in use and bad configuration.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibsql } from '../../db/open';
import { QUIET_ENV, spawnServer } from '../support/server-process';

let dir: string;
let busyPort: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-startup-'));
  writeFileSync(join(dir, 'a-file'), 'not a folder');
  mkdirSync(join(dir, 'a-folder.db'));
  writeFileSync(join(dir, 'not-a-database.db'), 'These bytes are no SQLite database. '.repeat(200));
  const encrypted = await openLibsql({
    databaseUrl: `file:${join(dir, 'encrypted.db')}`,
    databaseAuthToken: undefined,
    databaseEncryptionKey: 'the right key, long enough',
  });
  encrypted.close();
  busyPort = createServer();
  await new Promise<void>((ready) => busyPort.listen(0, '127.0.0.1', ready));
});

afterAll(() => {
  busyPort.close();
  rmSync(dir, { recursive: true, force: true });
});

const SLOW = { timeout: 60_000 };

/** Starts the server with `env` and returns its exit code and what it wrote to stderr. */
async function start(env: Record<string, string>) {
  const server = spawnServer({ ...QUIET_ENV, DATABASE_URL: `file:${join(dir, 'ok.db')}`, ...env });
  // A server that starts after all is stopped, and fails the test.
  const started = setTimeout(() => server.child.kill('SIGKILL'), 45_000);
  const { code } = await server.exited;
  clearTimeout(started);
  return { code, stderr: server.stderr(), output: server.output() };
}

const port = () => String((busyPort.address() as { port: number }).port);

describe('a server that cannot start', () => {
  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'a data folder that cannot be made',
      () => ({ DATABASE_URL: `file:${join(dir, 'a-file', 'data', 'forum.db')}` }),
      /cannot create the folder .*a-file\/data for the database \(DATABASE_URL\): .*\(ENOTDIR\)/,
    ],
    [
      'a database path that is a folder',
      () => ({ DATABASE_URL: `file:${join(dir, 'a-folder.db')}` }),
      /cannot open the database file .*a-folder\.db \(SQLITE_CANTOPEN\)/,
    ],
    [
      'a file that is not a database',
      () => ({ DATABASE_URL: `file:${join(dir, 'not-a-database.db')}` }),
      /not-a-database\.db is not a database the forum can read \(SQLITE_NOTADB\)/,
    ],
    [
      'an encrypted database without its key',
      () => ({ DATABASE_URL: `file:${join(dir, 'encrypted.db')}` }),
      /encrypted\.db is not a database the forum can read \(SQLITE_NOTADB\): it is encrypted \(set DATABASE_ENCRYPTION_KEY\)/,
    ],
    [
      'an encrypted database with another key',
      () => ({
        DATABASE_URL: `file:${join(dir, 'encrypted.db')}`,
        DATABASE_ENCRYPTION_KEY: 'not the key it was made with',
      }),
      /encrypted\.db cannot be read with DATABASE_ENCRYPTION_KEY \(SQLITE_NOTADB\)/,
    ],
    [
      'a port another program listens on',
      () => ({ PORT: port() }),
      /port \d+ on 127\.0\.0\.1 is in use by another program \(PORT, HOST\)/,
    ],
    [
      'a bad configuration value',
      () => ({ PORT: 'eighty', PAGE_CACHE_SECONDS: '-1' }),
      /Invalid configuration: PORT: must be a port number; PAGE_CACHE_SECONDS: must be 0 \(off\) or more$/,
    ],
  ];

  it.each(cases)('with %s says so in one line and exits 1', SLOW, async (_name, env, says) => {
    const { code, stderr, output } = await start(env());
    expect(code, output).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^Plimus Community Forums cannot start: /);
    expect(lines[0]).toMatch(says);
    expect(output).not.toMatch(/^\s+at /m); // no stack
  });
});
