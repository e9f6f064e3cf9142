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
import { startMailCatcher } from '../../dev/mail-catcher';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { deliverDue } from '../../src/mail/delivery';
import { smtpTransport } from '../../src/mail/smtp';
import type { ReceivedMail, TestMailbox } from '../shared/mail';

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
  const databaseUrl = `file:${join(dir, 'forum.db')}`;
  const client = createClient({ url: databaseUrl });
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
  // A real SMTP server receives the forum's mail; tests run the delivery loop when they want it.
  const catcher = await startMailCatcher({ nodeEnv: 'test' });
  const transport = smtpTransport({ ...config.mail, smtpUrl: catcher.smtpUrl });
  const deps = makeDeps(db, config, {
    now: clock.now,
    mail: { available: true, nudge() {} },
    writeCheck: embeddedWriteCheck(client),
  });
  const mail: TestMailbox & { catcher: typeof catcher } = {
    catcher,
    deliver: (o) => deliverDue(deps, transport, o),
    received: () => catcher.messages.map(received),
  };
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
    /** the database file, for a second connection (another process, as far as SQLite knows) */
    databaseUrl,
    clock,
    logs,
    mail,
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    /** a request to the app, as a browser on the forum's own origin would send it */
    request: (path: string, init?: RequestInit) => app.request(new URL(path, ORIGIN).href, init),
    close: async () => {
      await transport.close?.();
      await catcher.close();
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A message as the SMTP server got it, read with the MIME parser. */
function received(m: import('../../dev/mail-catcher').CaughtMail): ReceivedMail {
  const headers: Record<string, string> = {};
  for (const { key, line } of m.parsed.headerLines) {
    headers[key] = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
  }
  return {
    // the addresses the To header names (the envelope's have their domain in lower case)
    to: [m.parsed.to]
      .flat()
      .flatMap((a) => a?.value.map((v) => v.address ?? '') ?? [])
      .join(', '),
    subject: m.parsed.subject ?? '',
    text: m.parsed.text ?? '',
    html: typeof m.parsed.html === 'string' ? m.parsed.html : undefined,
    headers,
  };
}
