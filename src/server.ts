/**
 * The Node entry: an embedded libSQL file (or Turso), migrations applied on start, demo content
 * on first start, static files from public/, compression. `npm start` runs this file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Client, createClient } from '@libsql/client';
import type { MiddlewareHandler } from 'hono';
import { createDb } from '../db/client';
import { openLibsql } from '../db/open';
import { seedDemo } from '../dev/demo';
import type { DevIdentityProvider } from '../dev/plimus-idp';
import { createApp } from './app';
import { clientAddress } from './client-address';
import { type AppDeps, makeDeps } from './context';
import { type Config, ConfigError, loadConfig } from './env';
import { describeError } from './errors';
import { logMailer, noMailer } from './mail';
import { countVisit } from './middleware/visits';
import { createPageCache } from './page-cache';
import { rebuildSearchIndex } from './services/search-index';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

export type RunningServer = {
  url: string;
  close: () => Promise<void>;
  config: Config;
  /** the development Plimus identity provider, when this server started one */
  devIdentityProvider: DevIdentityProvider | undefined;
};

export const DEV_CLIENT_ID = 'plimus-forums-dev';

/**
 * Without a configured Plimus identity, outside production, a development provider starts beside
 * the forum (on the next port when it is free) so that "Sign in with Plimus" works at once.
 */
async function startDevIdentity(config: Config, log: (line: string) => void) {
  const { startDevIdentityProvider, DEV_PEOPLE } = await import('../dev/plimus-idp');
  const clientSecret = randomBytes(24).toString('base64url');
  const options = {
    host: '127.0.0.1',
    nodeEnv: config.nodeEnv,
    clients: [
      {
        clientId: DEV_CLIENT_ID,
        clientSecret,
        redirectUris: [`${config.publicOrigin}/auth/plimus/callback`],
      },
    ],
  };
  let idp: DevIdentityProvider;
  try {
    idp = await startDevIdentityProvider({
      ...options,
      port: config.port === 0 ? 0 : config.port + 1,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    idp = await startDevIdentityProvider({ ...options, port: 0 });
  }
  log(
    `Development Plimus identity at ${idp.issuer} (demo people: ${DEV_PEOPLE.map((p) => p.preferred_username).join(', ')})`,
  );
  return { idp, plimus: { issuer: idp.issuer, clientId: DEV_CLIENT_ID, clientSecret } };
}

/** The path of an embedded database file, when DATABASE_URL names one (not `:memory:`). */
function embeddedFile(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('file:')) return undefined;
  const path = databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  return path && path !== ':memory:' ? path : undefined;
}

/**
 * Outside production a forum needs no configured secret: the first start writes a random one
 * next to an embedded database file (readable by its owner only), so that what is signed with it
 * (a sign-in flow, an unsubscribe link) survives a restart. Production requires FORUM_SECRET.
 */
export function developmentSecret(config: Config): string | undefined {
  if (config.forumSecret || config.nodeEnv === 'production') return config.forumSecret;
  const path = embeddedFile(config.databaseUrl);
  if (!path) return undefined;
  const file = join(dirname(resolve(path)), 'forum-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/**
 * A reader of the embedded database's data version, on a connection of its own: SQLite changes
 * it for every commit made by any other connection (this process's or another's). None for a
 * remote database (a round trip per look would cost more than the pages it saves) or an in-memory
 * one (no other connection sees it).
 */
export function dataVersionWatcher(config: Pick<Config, 'databaseUrl'>) {
  if (!embeddedFile(config.databaseUrl)) return undefined;
  // One connection: looks are answered in order, and each compares with the one before.
  const watcher = createClient({ url: config.databaseUrl, concurrency: 1 });
  return {
    read: async () => (await watcher.execute('PRAGMA data_version')).rows[0]?.[0],
    close: () => watcher.close(),
  };
}

/**
 * Finishes a rebuild of the search index that an upgrade asked for (src/services/search-index.ts)
 * while the forum serves: old rows keep search working meanwhile.
 */
function reindexInBackground(deps: AppDeps, log: (line: string) => void) {
  const abort = new AbortController();
  const started = performance.now();
  const running = rebuildSearchIndex(deps, { signal: abort.signal })
    .then((n) => {
      if (n > 0) {
        log(
          `Search index: re-indexed ${n} posts in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
        );
      }
    })
    .catch((err) => log(`error search index rebuild ${describeError(err)}`));
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

type Fetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/** Opens the database, migrates, seeds when asked, and listens. */
export async function startServer(
  source: Record<string, string | undefined> = process.env,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  let config = loadConfig(source);
  config = { ...config, forumSecret: developmentSecret(config) };

  // Listen first: with PORT=0 the public origin names the port only once it is bound. Requests
  // that come before the forum is ready wait for it.
  let forumFetch: Fetch | undefined;
  let ready: (fetch: Fetch) => void = () => {};
  const readyFetch = new Promise<Fetch>((resolve) => {
    ready = resolve;
  });
  const server = createAdaptorServer({
    hostname: config.host,
    fetch: (request, env) =>
      forumFetch ? forumFetch(request, env) : readyFetch.then((f) => f(request, env)),
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(config.port, config.host, () => {
      server.off('error', failed);
      listening();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (config.port === 0 && !source.PUBLIC_ORIGIN) {
    config = {
      ...config,
      publicOrigin: loadConfig({ ...source, PORT: String(port) }).publicOrigin,
    };
  }

  let devIdentityProvider: DevIdentityProvider | undefined;
  let client: Client | undefined;
  let watcher: ReturnType<typeof dataVersionWatcher>;
  let deps: AppDeps;
  let reindexing: { stop: () => Promise<void> } | undefined;
  try {
    if (!config.plimus && config.nodeEnv !== 'production') {
      const dev = await startDevIdentity(config, log);
      devIdentityProvider = dev.idp;
      config = { ...config, plimus: dev.plimus };
    }
    client = await openLibsql(config);
    deps = makeDeps(createDb({ libsql: client }), config, {
      mailer: config.nodeEnv === 'development' ? logMailer(log) : noMailer,
    });
    if (config.seedDemo && (await seedDemo(deps))) log('Added demo content to the empty forum.');
    watcher = dataVersionWatcher(config);
    reindexing = reindexInBackground(deps, log);
  } catch (err) {
    client?.close();
    await devIdentityProvider?.close();
    await new Promise((closed) => server.close(closed));
    throw err;
  }

  const staticFile = serveStatic({
    root: PUBLIC_DIR,
    onFound: (_path, c) => {
      c.header('Cache-Control', 'public, max-age=3600');
    },
  });
  // The files of public/ are known at start: other requests do not look at the disk.
  const publicFiles = new Set(readdirSync(PUBLIC_DIR).map((name) => `/${name}`));
  const assets: MiddlewareHandler = (c, next) =>
    publicFiles.has(c.req.path) ? staticFile(c, next) : next();
  const forum = createApp(deps, {
    log,
    assets,
    clientAddress: clientAddress(config.trustedProxy, (c) => getConnInfo(c).remote.address),
    countryHeader: config.trustedCountryHeader,
    namePageKind: true,
  });
  const countryHeader = config.trustedCountryHeader?.toLowerCase();
  const pages = createPageCache({
    ttlMs: config.pageCacheSeconds * 1000,
    host: new URL(config.publicOrigin).host,
    onHit: (kind, facts) => countVisit(deps, kind, facts.country, log),
    dataVersion: watcher?.read,
  });
  const fetch: Fetch = (request, env) => {
    // Read from Node's own request: building a full Request would cost more than a cache hit.
    const { method = 'GET', url = '/', headers } = env.incoming;
    const country = countryHeader ? headers[countryHeader] : undefined;
    const facts = {
      method,
      host: headers.host,
      path: url,
      cookie: headers.cookie,
      acceptEncoding: headers['accept-encoding'],
      country: typeof country === 'string' ? country : undefined,
    };
    // The raw Host and target are those the app routes when the Host is exactly the public one
    // (otherwise nothing is served from the cache here; `handle` then reads the routed URL).
    const kept = pages.hit(facts);
    if (kept) {
      // A kept page is written straight to the socket, without a web Response in between.
      // This server speaks HTTP/1.1 (no createServer option), so outgoing is a ServerResponse.
      const out = env.outgoing as ServerResponse;
      out.writeHead(kept.status, kept.rawHeaders);
      if (kept.body) out.end(kept.body);
      else out.end();
      return RESPONSE_ALREADY_SENT;
    }
    return pages.handle(request, (r) => Promise.resolve(forum.fetch(r, env)), facts);
  };
  forumFetch = fetch;
  ready(fetch);

  return {
    url: `http://${host}:${port}`,
    config,
    devIdentityProvider,
    close: () =>
      new Promise<void>((done) => {
        server.close(async () => {
          await reindexing?.stop();
          await deps.visits.flush(deps.db).catch(() => {});
          watcher?.close();
          client?.close();
          (devIdentityProvider?.close() ?? Promise.resolve()).then(done);
        });
        // Keep-alive connections would hold close() open.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

async function main() {
  try {
    const running = await startServer();
    console.log(
      `Plimus Community Forums listening on ${running.url} (public origin ${running.config.publicOrigin})`,
    );
    const stop = () => {
      running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
