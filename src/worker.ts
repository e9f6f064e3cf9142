/**
 * The Workers entry. The database is Turso (libSQL over HTTP) when DATABASE_URL is a remote
 * URL, otherwise the D1 binding `DB`. Static files are served by Workers static assets.
 */
import { createClient } from '@libsql/client/web';
import { createDb, type Db } from '../db/client';
import { type App, createApp } from './app';
import { clientAddress } from './client-address';
import { type AppDeps, makeDeps } from './context';
import { loadConfig } from './env';
import { describeError } from './errors';
import { rebuildSearchIndexStep } from './services/search-index';

export type WorkerEnv = {
  DB?: D1Database;
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  PUBLIC_ORIGIN?: string;
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
let cached: { env: WorkerEnv; app: App; deps: AppDeps } | undefined;

function forumFor(env: WorkerEnv, request: Request) {
  if (cached?.env === env) return cached;
  const config = loadConfig({
    // Without a configured origin, the forum's own address is the one the request came to.
    PUBLIC_ORIGIN: new URL(request.url).origin,
    ...env,
  });
  const deps = makeDeps(openDatabase(env), config);
  const app = createApp(deps, {
    // For rate limits only: hashed at once by the app, never stored or logged. Cloudflare sets
    // CF-Connecting-IP; TRUSTED_PROXY is for proxies in front of Cloudflare.
    clientAddress: clientAddress(
      config.trustedProxy ?? { header: 'CF-Connecting-IP' },
      () => undefined,
    ),
    countryHeader: 'CF-IPCountry',
    originFromRequest: !env.PUBLIC_ORIGIN,
  });
  cached = { env, app, deps };
  return cached;
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
      .catch((err) => console.log(`error search index rebuild ${describeError(err)}`)),
  );
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> {
    const forum = forumFor(env, request);
    searchIndexUpkeep(forum.deps, ctx);
    return forum.app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<WorkerEnv>;
