/**
 * The Workers entry. The database is Turso (libSQL over HTTP) when DATABASE_URL is a remote
 * URL, otherwise the D1 binding `DB`. Static files are served by Workers static assets.
 */
import { createClient } from '@libsql/client/web';
import { createDb, type Db } from '../db/client';
import { type App, createApp } from './app';
import { clientAddress } from './client-address';
import { makeDeps } from './context';
import { loadConfig } from './env';

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
let cached: { env: WorkerEnv; app: App } | undefined;

function appFor(env: WorkerEnv, request: Request): App {
  if (cached?.env === env) return cached.app;
  const config = loadConfig({
    // Without a configured origin, the forum's own address is the one the request came to.
    PUBLIC_ORIGIN: new URL(request.url).origin,
    ...env,
  });
  const app = createApp(makeDeps(openDatabase(env), config), {
    // For rate limits only: hashed at once by the app, never stored or logged. Cloudflare sets
    // CF-Connecting-IP; TRUSTED_PROXY is for proxies in front of Cloudflare.
    clientAddress: clientAddress(
      config.trustedProxy ?? { header: 'CF-Connecting-IP' },
      () => undefined,
    ),
    countryHeader: 'CF-IPCountry',
    originFromRequest: !env.PUBLIC_ORIGIN,
  });
  cached = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env, request).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<WorkerEnv>;
