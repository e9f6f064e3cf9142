/**
 * A forum for one test file: a fresh libSQL database file migrated with the real migrations,
 * the real app, a clock the test can move, and the log lines the app wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { createDb, embeddedWriteCheck, prepareLibsql } from '../../db/client';
import { migrateLibsql } from '../../db/migrate';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { memoryMailer } from '../../src/mail';

export const ORIGIN = 'http://forum.test';

/** Tests tell clients apart with this header (the app never sees real addresses in app.request). */
export const testClientAddress = (c: { req: { header: (name: string) => string | undefined } }) =>
  c.req.header('x-test-client') ?? '192.0.2.1';

export type TestForum = Awaited<ReturnType<typeof createTestForum>>;

export type TestForumOptions = {
  /** sees every query the app runs (for query-plan tests) */
  onQuery?: (sql: string, params: unknown[]) => void;
};

export async function createTestForum(
  env: Record<string, string> = {},
  options: TestForumOptions = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'forum-test-'));
  const client = createClient({ url: `file:${join(dir, 'forum.db')}` });
  await prepareLibsql(client, { embedded: true });
  await migrateLibsql(client);
  const config = loadConfig({ NODE_ENV: 'test', PUBLIC_ORIGIN: ORIGIN, ...env });
  let now = Date.parse('2026-11-20T12:00:00Z');
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (at: number) => {
      now = at;
    },
  };
  const onQuery = options.onQuery;
  const db = createDb(
    { libsql: client },
    onQuery ? { logger: { logQuery: (sql, params) => onQuery(sql, params) } } : {},
  );
  const mailer = memoryMailer();
  const deps = makeDeps(db, config, {
    now: clock.now,
    mailer,
    writeCheck: embeddedWriteCheck(client),
  });
  const logs: string[] = [];
  const app = createApp(deps, {
    log: (line) => logs.push(line),
    clientAddress: testClientAddress,
    countryHeader: config.trustedCountryHeader,
  });
  return {
    app,
    deps,
    db: deps.db,
    client,
    clock,
    logs,
    mailer,
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    /** a request to the app, as a browser on the forum's own origin would send it */
    request: (path: string, init?: RequestInit) => app.request(new URL(path, ORIGIN).href, init),
    close: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
