/** The forum inside workerd, with data in this test file's local D1 database. */
import { env, exports } from 'cloudflare:workers';
import { createDb } from '../../db/client';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { memoryMailer } from '../../src/mail';

export const ORIGIN = 'http://forum.test';

const config = () =>
  loadConfig({
    NODE_ENV: 'test',
    PUBLIC_ORIGIN: ORIGIN,
    PLIMUS_ISSUER: env.PLIMUS_ISSUER,
    PLIMUS_CLIENT_ID: env.PLIMUS_CLIENT_ID,
    PLIMUS_CLIENT_SECRET: env.PLIMUS_CLIENT_SECRET,
  });

/** Requests go through the real Worker entry (src/worker.ts). */
export function edgeForum() {
  const deps = makeDeps(createDb({ d1: env.DB }), config());
  const worker = (exports as unknown as { default: Fetcher }).default;
  return {
    deps,
    request: (path: string, init?: RequestInit) =>
      worker.fetch(new Request(new URL(path, ORIGIN), init)),
  };
}

/**
 * The app built in workerd around a clock the test moves (sessions, posting limits), and telling
 * clients apart by a test header (requests here carry no network address).
 */
export function clockedEdgeForum() {
  let now = Date.parse('2026-11-20T12:00:00Z');
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const mailer = memoryMailer();
  const deps = makeDeps(createDb({ d1: env.DB }), config(), { now: clock.now, mailer });
  const logs: string[] = [];
  const app = createApp(deps, {
    log: (line) => logs.push(line),
    clientAddress: (c) => c.req.header('x-test-client'),
    countryHeader: 'CF-IPCountry',
  });
  return {
    deps,
    clock,
    mailer,
    logs,
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    request: (path: string, init?: RequestInit) => app.request(new URL(path, ORIGIN).href, init),
  };
}
