/**
 * The Workers entry. The database is Turso (libSQL over HTTP) when DATABASE_URL is a remote
 * URL, otherwise the D1 binding `DB`. Static files are served by Workers static assets.
 *
 * Email goes through the Email Service binding `EMAIL` (when it is bound and PUBLIC_ORIGIN is
 * set: links in mail never come from a request's Host): urgent mail right after the response that
 * queued it (`waitUntil`), retries and bulk mail from the Cron Trigger. See
 * docs/decisions/010-email.md.
 */
import { createClient } from '@libsql/client/web';
import { createDb, type Db } from '../db/client';
import { type App, createApp } from './app';
import { clientAddress } from './client-address';
import { type AppDeps, makeDeps } from './context';
import { loadConfig } from './env';
import { describeError } from './errors';
import { deliverDue } from './mail/delivery';
import type { Transport } from './mail/transport';
import { type EmailBinding, workersTransport } from './mail/workers';
import { runNotificationJobs } from './services/notifications';
import { rebuildSearchIndexStep } from './services/search-index';

export type WorkerEnv = {
  DB?: D1Database;
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  PUBLIC_ORIGIN?: string;
  EMAIL?: EmailBinding;
  [key: string]: unknown;
};

function openDatabase(env: WorkerEnv): Db {
  const url = env.DATABASE_URL;
  if (url && /^(libsql|https?):\/\//.test(url)) {
    return createDb({ libsql: createClient({ url, authToken: env.DATABASE_AUTH_TOKEN }) });
  }
  if (!env.DB) {
    throw new Error('No database: set DATABASE_URL (Turso) or bind a D1 database as DB.');
  }
  return createDb({ d1: env.DB });
}

// One app per isolate: configuration and bindings do not change between requests.
type Isolate = {
  env: WorkerEnv;
  app: App;
  deps: AppDeps;
  transport: Transport | undefined;
  /** a request queued urgent mail: send it once the response is on its way */
  urgentMail: boolean;
  /** a request wrote notification jobs: run them once the response is on its way */
  notificationJobs: boolean;
};
let cached: Isolate | undefined;

function isolateFor(env: WorkerEnv, origin: string | undefined): Isolate {
  if (cached?.env === env) return cached;
  const config = loadConfig({
    // Without a configured origin, the forum's own address is the one the request came to.
    ...(origin ? { PUBLIC_ORIGIN: origin } : {}),
    ...env,
  });
  const transport = env.EMAIL && env.PUBLIC_ORIGIN ? workersTransport(env.EMAIL) : undefined;
  const isolate: Isolate = {
    env,
    transport,
    urgentMail: false,
    notificationJobs: false,
    deps: makeDeps(openDatabase(env), config, {
      mail: {
        available: !!transport,
        nudge: () => {
          isolate.urgentMail = true;
        },
      },
      notify: {
        nudge: () => {
          isolate.notificationJobs = true;
        },
      },
    }),
    app: undefined as unknown as App,
  };
  isolate.app = createApp(isolate.deps, {
    // For rate limits only: hashed at once by the app, never stored or logged. Cloudflare sets
    // CF-Connecting-IP; TRUSTED_PROXY is for proxies in front of Cloudflare.
    clientAddress: clientAddress(
      config.trustedProxy ?? { header: 'CF-Connecting-IP' },
      () => undefined,
    ),
    countryHeader: 'CF-IPCountry',
    originFromRequest: !env.PUBLIC_ORIGIN,
  });
  cached = isolate;
  return isolate;
}

/**
 * A rebuild of the search index that an upgrade asked for (src/services/search-index.ts) goes on
 * in small steps after responses, at most one step per isolate every few seconds, until it is
 * done; then this isolate stops looking.
 */
const upkeep = { done: false, lastStep: 0 };
const UPKEEP_EVERY_MS = 5_000;
const UPKEEP_BATCH = 200;

function searchIndexUpkeep(deps: AppDeps, ctx: ExecutionContext) {
  const now = Date.now();
  if (upkeep.done || now - upkeep.lastStep < UPKEEP_EVERY_MS) return;
  upkeep.lastStep = now;
  ctx.waitUntil(
    rebuildSearchIndexStep(deps, UPKEEP_BATCH)
      .then((n) => {
        if (n === 0) upkeep.done = true;
      })
      .catch((err) => log(`error search index rebuild ${describeError(err)}`)),
  );
}

const log = (line: string) => console.log(line);

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const isolate = isolateFor(env, new URL(request.url).origin);
    searchIndexUpkeep(isolate.deps, ctx);
    const response = await isolate.app.fetch(request, env, ctx);
    if (isolate.notificationJobs) {
      isolate.notificationJobs = false;
      ctx.waitUntil(runNotificationJobs(isolate.deps, log));
    }
    if (isolate.urgentMail && isolate.transport) {
      isolate.urgentMail = false;
      ctx.waitUntil(
        deliverDue(isolate.deps, isolate.transport, { urgentOnly: true, log }).catch((err) =>
          log(`mail ${describeError(err)}`),
        ),
      );
    }
    return response;
  },
  /** The Cron Trigger (wrangler.toml): retries, bulk mail, and anything a request left behind. */
  async scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    // Notification jobs a request left behind (an isolate that ended before its waitUntil).
    ctx.waitUntil(runNotificationJobs(isolateFor(env, undefined).deps, log));
    if (!env.EMAIL || !env.PUBLIC_ORIGIN) return;
    const isolate = isolateFor(env, undefined);
    if (!isolate.transport) return;
    ctx.waitUntil(
      deliverDue(isolate.deps, isolate.transport, { log }).then(
        () => {},
        (err) => log(`mail ${describeError(err)}`),
      ),
    );
  },
} satisfies ExportedHandler<WorkerEnv>;
