/**
 * `npm run cli -- backup` while the real server runs and writes, and `restore`, which refuses a
 * database in use and a file that is not a good backup, then puts a backup in place.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
let env: Record<string, string>;
let server: ServerProcess;
let url: string;
let cookie: string;
let topicId: number;

const SLOW = { timeout: 120_000 };
const BACKED_UP = 'A reply written before the backup, about zanzibarian cartography.';
const AFTER = 'A reply written after the backup.';

const backupFile = () => join(dir, 'backups', 'forum-copy.db');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-backup-'));
  env = { ...QUIET_ENV, DATABASE_URL: `file:${join(dir, 'data', 'forum.db')}` };
  server = spawnServer(env);
  url = await listening(server);
  cookie = await signUpOver(url, 'backed_up');
  topicId = (await someTopic(url)).id;
  expect(await replyOver(url, cookie, topicId, BACKED_UP)).toBe(303);
}, 120_000);

afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const topicPage = async () => (await fetch(`${url}/t/${topicId}`, { redirect: 'follow' })).text();

describe('backup', () => {
  it('copies the database while the server runs, then checks the copy', SLOW, async () => {
    const run = await runCli(['backup', backupFile()], env);
    expect(run.stderr).not.toContain('Failed');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Backed up file:.*forum\.db to .*forum-copy\.db: [\d.]+ MB in [\d.]+ s\.$/m,
    );
    expect(run.stdout).toMatch(
      /^Checked the copy: integrity ok, search index ok, \d+ tables with the rows of the forum \([\d,]+ posts, [\d,]+ topics, [\d,]+ people\)\.$/m,
    );
    // Only the copy is left in the folder: no journal, no WAL beside it.
    expect(readdirSync(join(dir, 'backups'))).toEqual(['forum-copy.db']);

    // The reply is in the copy (it was still in the server's WAL) and so is its search entry.
    const copy = createClient({ url: `file:${backupFile()}` });
    const reply = await copy.execute({
      sql: 'SELECT id FROM posts WHERE body_markdown = ?',
      args: [BACKED_UP],
    });
    expect(reply.rows).toHaveLength(1);
    const found = await copy.execute(
      "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'zanzibarian'",
    );
    expect(found.rows.map((r) => r.rowid)).toEqual([reply.rows[0]?.id]);
    expect((await copy.execute('PRAGMA integrity_check')).rows[0]?.[0]).toBe('ok');
    copy.close();
  });

  it('never overwrites a file', SLOW, async () => {
    const before = readFileSync(backupFile());
    const run = await runCli(['backup', backupFile()], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('exists already');
    expect(readFileSync(backupFile()).equals(before)).toBe(true);
  });
});

describe('restore', () => {
  it('refuses to replace the database while the server has it open', SLOW, async () => {
    const later = await signUpOver(url, 'after_backup');
    expect(await replyOver(url, later, topicId, AFTER)).toBe(303);
    const run = await runCli(['restore', backupFile()], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /forum\.db is in use: the server \(or another program\) has it open/,
    );
    // nothing changed: the server goes on with its own database
    expect(await topicPage()).toContain(AFTER);
    expect(readdirSync(join(dir, 'data')).filter((f) => f.includes('restor'))).toEqual([]);
  });

  it('refuses a file that is not a good backup, before anything else', SLOW, async () => {
    const broken = join(dir, 'broken.db');
    writeFileSync(broken, readFileSync(backupFile()).subarray(0, 64 * 1024));
    const notOne = join(dir, 'notes.txt');
    writeFileSync(notOne, 'Not a database at all. '.repeat(100));
    for (const [file, says] of [
      [broken, /broken\.db is damaged/],
      [notOne, /notes\.txt cannot be read: it is not a database/],
      [join(dir, 'missing.db'), /There is no backup file/],
    ] as const) {
      const run = await runCli(['restore', file], env);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(says);
    }
  });

  it(
    'puts the backup in place once the server is stopped, keeping the old database',
    SLOW,
    async () => {
      expect(await stop(server)).toEqual({ code: 0, signal: null });
      const run = await runCli(['restore', backupFile()], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('integrity ok, search index ok');
      const kept = /kept as (\S+)\.$/m.exec(run.stdout)?.[1] ?? '';
      expect(existsSync(kept)).toBe(true);

      server = spawnServer(env);
      url = await listening(server);
      const page = await topicPage();
      expect(page).toContain(BACKED_UP);
      expect(page).not.toContain(AFTER);
      expect(await stop(server)).toEqual({ code: 0, signal: null });
    },
  );
});
