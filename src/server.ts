/**
 * The Node entry: an embedded libSQL file (or Turso), migrations applied on start, demo content
 * on first start, static files from public/, compression. `npm start` runs this file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';
import { createDb, embeddedWriteCheck } from '../db/client';
import { DatabaseOpenError, databaseFile, openLibsql } from '../db/open';
import { seedDemo } from '../db/seed';
import type { DevIdentityProvider } from '../dev/plimus-idp';
import { createApp } from './app';
import { makeDeps } from './context';
import { type Config, ConfigError, loadConfig } from './env';
import { describeError } from './errors';
import { logMailer, noMailer } from './mail';
import { countVisit } from './middleware/visits';
import { createPageCache } from './page-cache';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

export type RunningServer = {
  url: string;
  /**
   * Stops the server: requests in flight get `graceMs` (default 0) to finish; statistics are
   * written, the WAL checkpointed, the database closed.
   */
  close: (opts?: { graceMs?: number }) => Promise<void>;
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

/**
 * Outside production a forum needs no configured secret: the first start writes a random one
 * next to an embedded database file (readable by its owner only), so that what is signed with it
 * (a sign-in flow, an unsubscribe link) survives a restart. Production requires FORUM_SECRET.
 */
export function developmentSecret(config: Config): string | undefined {
  if (config.forumSecret || config.nodeEnv === 'production') return config.forumSecret;
  const path = databaseFile(config.databaseUrl);
  if (!path) return undefined;
  const file = join(dirname(resolve(path)), 'forum-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/** Opens the database, migrates, seeds when asked, and listens. */
export async function startServer(
  source: Record<string, string | undefined> = process.env,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  let config = loadConfig(source);
  // The database first: it is what most often cannot start, and it makes the data folder.
  const client = await openLibsql(config);
  const embedded = config.databaseUrl.startsWith('file:');
  let devIdentityProvider: DevIdentityProvider | undefined;
  try {
    config = { ...config, forumSecret: developmentSecret(config) };
    if (!config.plimus && config.nodeEnv !== 'production') {
      const dev = await startDevIdentity(config, log);
      devIdentityProvider = dev.idp;
      config = { ...config, plimus: dev.plimus };
    }
  } catch (err) {
    client.close();
    throw err;
  }
  const deps = makeDeps(createDb({ libsql: client }), config, {
    mailer: config.nodeEnv === 'development' ? logMailer(log) : noMailer,
    writeCheck: embedded ? embeddedWriteCheck(client) : undefined,
  });
  if (config.seedDemo && (await seedDemo(deps))) log('Added demo content to the empty forum.');

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
    // For rate limits only: hashed at once by the app, never stored or logged.
    clientAddress: (c) => getConnInfo(c).remote.address,
    countryHeader: config.trustedCountryHeader,
    namePageKind: true,
  });
  const countryHeader = config.trustedCountryHeader?.toLowerCase();
  const pages = createPageCache({
    ttlMs: config.pageCacheSeconds * 1000,
    onHit: (kind, facts) => countVisit(deps, kind, facts.country, log),
  });
  const fetch = (request: Request, env: HttpBindings | Http2Bindings) => {
    // Read from Node's own request: building a full Request would cost more than a cache hit.
    const { method = 'GET', url = '/', headers } = env.incoming;
    const country = countryHeader ? headers[countryHeader] : undefined;
    const facts = {
      method,
      path: url,
      cookie: headers.cookie,
      acceptEncoding: headers['accept-encoding'],
      country: typeof country === 'string' ? country : undefined,
    };
    const kept = pages.hit(facts);
    if (kept) {
      // A kept page is written straight to the socket, without a web Response in between.
      // This server speaks HTTP/1.1 (serve() without createServer), so outgoing is a ServerResponse.
      const out = env.outgoing as ServerResponse;
      out.writeHead(kept.status, kept.rawHeaders);
      if (kept.body) out.end(kept.body);
      else out.end();
      return RESPONSE_ALREADY_SENT;
    }
    return pages.handle(request, (r) => Promise.resolve(forum.fetch(r, env)), facts);
  };

  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((ready, fail) => {
      const s = serve({ fetch, port: config.port, hostname: config.host }, () => ready(s));
      s.once('error', fail);
    });
  } catch (err) {
    client.close();
    await devIdentityProvider?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  // HTTP/1.1 (serve() without createServer), whose connections can be closed one by one.
  const http1 = server as Server;
  let closing: Promise<void> | undefined;
  /**
   * Stops accepting, lets the requests in flight finish (at most `graceMs`, then their
   * connections are cut), writes the statistics still in memory, checkpoints the WAL into the
   * database file (which leaves the -wal file empty) and closes the database.
   */
  const close = (opts: { graceMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((done) => {
        const cut = setTimeout(() => http1.closeAllConnections(), opts.graceMs ?? 0);
        // Keep-alive connections that go idle now would hold close() open.
        const idle = setInterval(() => http1.closeIdleConnections(), 100);
        server.close(() => {
          clearTimeout(cut);
          clearInterval(idle);
          done();
        });
        http1.closeIdleConnections();
      });
      await deps.visits.flush(deps.db).catch((err) => log(`stats ${describeError(err)}`));
      if (embedded) {
        const { rows } = await client
          .execute('PRAGMA wal_checkpoint(TRUNCATE)')
          .catch((err) => ({ rows: [{ busy: `${describeError(err)}` }] }));
        if (rows[0]?.busy) log(`The WAL was not checkpointed (busy: ${rows[0].busy}).`);
      }
      client.close();
      await devIdentityProvider?.close();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, config, devIdentityProvider, close };
}

/** How long requests in flight may take to finish once the server is asked to stop. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Why the server could not start, in one line. */
function startupFailure(err: unknown): string {
  if (err instanceof ConfigError) {
    const [first, ...variables] = err.message.split('\n').map((line) => line.trim());
    return `${first} ${variables.join('; ')}`.trim();
  }
  if (err instanceof DatabaseOpenError) return err.message;
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e.syscall === 'listen') {
    const where = `port ${e.port} on ${e.address}`;
    if (e.code === 'EADDRINUSE') return `${where} is in use by another program (PORT, HOST)`;
    if (e.code === 'EACCES') return `no permission to listen on ${where} (PORT, HOST)`;
    if (e.code === 'EADDRNOTAVAIL') return `${e.address} is not an address of this machine (HOST)`;
  }
  if (e.syscall === 'open' && e.path?.endsWith('forum-secret')) {
    return `cannot write the development secret ${e.path} (${e.code}): set FORUM_SECRET`;
  }
  return describeError(err);
}

/**
 * `npm start`: one line and exit code 1 when the forum cannot start; on SIGTERM or SIGINT the
 * requests in flight finish, the statistics are written, the WAL is checkpointed, exit code 0.
 */
async function main() {
  let running: RunningServer;
  try {
    running = await startServer();
  } catch (err) {
    console.error(`Plimus Community Forums cannot start: ${startupFailure(err)}`);
    process.exit(1);
  }
  console.log(
    `Plimus Community Forums listening on ${running.url} (public origin ${running.config.publicOrigin})`,
  );
  // A terminal's Ctrl-C reaches npm and the server both, and npm passes it on: one stop is enough.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(
      `${signal}: finishing the requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s), then stopping.`,
    );
    running.close({ graceMs: SHUTDOWN_GRACE_MS }).then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`Stopping failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
