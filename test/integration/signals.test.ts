/**
 * Stopping the real server process: SIGTERM while a request is in flight, directly (as a process
 * manager runs it) and through `npm start`.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listening,
  QUIET_ENV,
  type ServerProcess,
  signUpOver,
  someTopic,
  spawnServer,
} from '../support/server-process';

let dir: string;
let file: string;
let reader: Client | undefined;
let running: ServerProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forum-signals-'));
  file = join(dir, 'forum.db');
});

afterEach(() => {
  // a server a failed test left running
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  reader?.close();
  reader = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Starting Node with tsx and migrating a new database takes seconds on a busy machine. */
const SLOW = { timeout: 120_000 };

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * A form post whose body is sent only when `finish()` is called: the server has the request
 * (it answered `100 Continue`) and waits for the rest, as for a person on a slow connection.
 */
function slowPost(url: string, path: string, headers: Record<string, string>, body: string) {
  const target = new URL(path, url);
  const req = httpRequest({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'POST',
    headers: {
      ...headers,
      Origin: url,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': String(Buffer.byteLength(body)),
      Expect: '100-continue',
    },
  });
  const received = new Promise<void>((inFlight) => req.on('continue', () => inFlight()));
  const response = new Promise<{ status: number; location: string | undefined }>((done, fail) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', fail);
  });
  req.flushHeaders();
  return { received, finish: () => req.end(body), response };
}

/** Waits until the address refuses new connections. */
async function refusesConnections(url: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/healthz`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const walSize = () => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('SIGTERM', () => {
  it(
    'lets the request in flight finish, writes the statistics, checkpoints the WAL and exits 0',
    SLOW,
    async () => {
      const server = spawnServer({ ...QUIET_ENV, DATABASE_URL: `file:${file}` });
      running = server;
      const url = await listening(server);
      // Another program has the database open, as the command line may: the server is not its
      // last user, so only the server's own checkpoint empties the WAL.
      reader = createClient({ url: `file:${file}` });
      const cookie = await signUpOver(url, 'stopping_writer');
      for (let i = 0; i < 3; i++) expect((await fetch(`${url}/privacy`)).status).toBe(200);
      const topic = await someTopic(url);

      const slow = slowPost(
        url,
        `/t/${topic.id}/replies`,
        { Cookie: cookie },
        form({
          body: 'Sent while the server was asked to stop.',
          public_ack: '1',
        }),
      );
      await slow.received;
      expect(walSize()).toBeGreaterThan(0);
      server.child.kill('SIGTERM');
      expect(await refusesConnections(url)).toBe(true);
      slow.finish();
      const answer = await slow.response;
      expect(answer.status).toBe(303);
      expect(answer.location).toContain(topic.path);

      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toBe('');
      expect(walSize()).toBe(0);
      const saved = await reader.execute(
        "SELECT count(*) AS n FROM posts WHERE body_markdown = 'Sent while the server was asked to stop.'",
      );
      expect(saved.rows[0]?.n).toBe(1);
      const views = await reader.execute(
        "SELECT count FROM page_view_stats WHERE kind = '/privacy'",
      );
      expect(views.rows[0]?.count).toBe(3);
    },
  );

  it('sent to `npm start` stops the server too', SLOW, async () => {
    const npm = spawnServer({ ...QUIET_ENV, DATABASE_URL: `file:${file}` }, 'npm');
    const url = await listening(npm);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    npm.child.kill('SIGTERM');
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    expect(await refusesConnections(url)).toBe(true);
    expect(npm.output()).toContain('Stopped.');
    expect(walSize()).toBe(0);
  });
});
