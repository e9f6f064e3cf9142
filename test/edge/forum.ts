/** The forum inside workerd, with data in this test file's local D1 database. */
import { env, exports } from 'cloudflare:workers';
import { createDb } from '../../db/client';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { deliverDue } from '../../src/mail/delivery';
import { type EmailBinding, workersTransport } from '../../src/mail/workers';
import type { ReceivedMail, TestMailbox } from '../shared/mail';

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
  const deps = makeDeps(createDb({ d1: env.DB }), config(), {
    now: clock.now,
    mail: { available: true, nudge() {} },
  });
  const mail = localEmailBinding();
  const logs: string[] = [];
  const app = createApp(deps, {
    log: (line) => logs.push(line),
    clientAddress: (c) => c.req.header('x-test-client'),
    countryHeader: 'CF-IPCountry',
  });
  return {
    deps,
    clock,
    mail: {
      deliver: (o) => deliverDue(deps, mail.transport, o),
      received: () => mail.received,
    } satisfies TestMailbox,
    logs,
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    request: (path: string, init?: RequestInit) => app.request(new URL(path, ORIGIN).href, init),
  };
}

/**
 * The Email Service binding the local runtime provides (wrangler.toml's EMAIL), as the Worker's
 * transport uses it. The local binding checks each message and keeps it in its own store, out of
 * the test's reach, so what it accepted is noted here on the way through.
 */
export function localEmailBinding(local: SendEmail = env.EMAIL) {
  const received: ReceivedMail[] = [];
  const binding: EmailBinding = {
    async send(m) {
      const result = await local.send(m);
      received.push({
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: Object.fromEntries(
          Object.entries(m.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        ),
      });
      return result;
    },
  };
  return { binding, transport: workersTransport(binding), received };
}
