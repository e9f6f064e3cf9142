/**
 * The Node entry: an embedded libSQL file (or Turso), migrations applied on start, demo content
 * on first start, static files from public/, compression. `npm start` runs this file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Server as HttpServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Client, createClient } from '@libsql/client';
import type { MiddlewareHandler } from 'hono';
import { createDb, embeddedWriteCheck } from '../db/client';
import { DatabaseOpenError, databaseFile, openLibsql } from '../db/open';
import { demoStaffSignIns, seedDemo, seedDemoStaff } from '../dev/demo';
import type { MailCatcher } from '../dev/mail-catcher';
import type { DevIdentityProvider } from '../dev/plimus-idp';
import { createApp } from './app';
import { clientAddress } from './client-address';
import { type AppDeps, type DemoSignIns, makeDeps } from './context';
import { type Config, ConfigError, loadConfig } from './env';
import { describeError } from './errors';
import { type DeliveryLoop, startDeliveryLoop } from './mail/delivery';
import { smtpTransport } from './mail/smtp';
import type { Postbox, Transport } from './mail/transport';
import { countVisit } from './middleware/visits';
import { createPageCache } from './page-cache';
import { startNotificationLoop } from './services/notifications';
import { rebuildSearchIndex } from './services/search-index';

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
  /** the development mail catcher, when this server started one (SMTP_URL not set) */
  mailCatcher: MailCatcher | undefined;
};

export const DEV_CLIENT_ID = 'plimus-forums-dev';

/** Starts a development service on the forum's port + `offset` when that is free, else on any. */
async function onPortAfter<T>(
  config: Config,
  offset: number,
  start: (port: number) => Promise<T>,
): Promise<T> {
  try {
    return await start(config.port === 0 ? 0 : config.port + offset);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

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
  const idp = await onPortAfter(config, 1, (port) =>
    startDevIdentityProvider({ ...options, port }),
  );
  log(
    `Development Plimus identity at ${idp.issuer} (demo people: ${DEV_PEOPLE.map((p) => p.preferred_username).join(', ')})`,
  );
  return {
    idp,
    plimus: { issuer: idp.issuer, clientId: DEV_CLIENT_ID, clientSecret },
    people: DEV_PEOPLE.map((p) => ({ name: p.name, about: p.about })),
  };
}

/**
 * Without SMTP_URL, outside production, a development mail catcher starts beside the forum (its
 * page on the port after the identity provider's when that is free) and receives its email.
 */
async function startDevMailCatcher(config: Config, log: (line: string) => void) {
  const { startMailCatcher } = await import('../dev/mail-catcher');
  const catcher = await onPortAfter(config, 2, (pagePort) =>
    startMailCatcher({ host: '127.0.0.1', nodeEnv: config.nodeEnv, pagePort }),
  );
  log(
    `Development mail catcher at ${catcher.url} (the forum's email goes there, to nobody's mailbox)`,
  );
  return catcher;
}

/**
 * Who a development forum's visitors can sign in as: printed here (the demo staff with their
 * passwords), listed without passwords on its sign-in page.
 */
async function demoSignIns(
  deps: AppDeps,
  plimus: DemoSignIns['plimus'],
  log: (line: string) => void,
): Promise<DemoSignIns> {
  const staff = await demoStaffSignIns(deps);
  if (staff.length > 0) {
    log(
      `Demo staff (development only), at ${deps.config.publicOrigin}/login: ${staff
        .map((s) => `${s.username} with the password ${s.password} (${s.role})`)
        .join(', ')}`,
    );
  }
  return { plimus, staff: staff.map(({ username, role }) => ({ username, role })) };
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

/**
 * A reader of the embedded database's data version, on a connection of its own: SQLite changes
 * it for every commit made by any other connection (this process's or another's). None for a
 * remote database (a round trip per look would cost more than the pages it saves) or an in-memory
 * one (no other connection sees it).
 */
export function dataVersionWatcher(
  config: Pick<Config, 'databaseUrl'> & Partial<Pick<Config, 'databaseEncryptionKey'>>,
) {
  if (!databaseFile(config.databaseUrl)) return undefined;
  // One connection: looks are answered in order, and each compares with the one before.
  const watcher = createClient({
    url: config.databaseUrl,
    concurrency: 1,
    encryptionKey: config.databaseEncryptionKey,
  });
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
  // Idle connections are kept longer than clients and proxies keep theirs (undici 4 s, load
  // balancers 60 s), so that the client is the one that closes an idle connection: when the
  // server closes first, a request the client sends on it at that moment fails (ECONNRESET).
  if (server instanceof HttpServer) {
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  }
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
  let devPeople: DemoSignIns['plimus'] = [];
  let mailCatcher: MailCatcher | undefined;
  let transport: Transport | undefined;
  let delivery: DeliveryLoop | undefined;
  let notifying: ReturnType<typeof startNotificationLoop> | undefined;
  let client: Client | undefined;
  let watcher: ReturnType<typeof dataVersionWatcher>;
  let deps: AppDeps;
  let reindexing: { stop: () => Promise<void> } | undefined;
  try {
    if (!config.plimus && config.nodeEnv !== 'production') {
      const dev = await startDevIdentity(config, log);
      devIdentityProvider = dev.idp;
      devPeople = dev.people;
      config = { ...config, plimus: dev.plimus };
    }
    let smtpUrl = config.mail.smtpUrl;
    if (!smtpUrl && config.nodeEnv !== 'production') {
      mailCatcher = await startDevMailCatcher(config, log);
      smtpUrl = mailCatcher.smtpUrl;
    }
    transport = smtpUrl ? smtpTransport({ ...config.mail, smtpUrl }) : undefined;
    const mail: Postbox = { available: !!transport, nudge: () => delivery?.nudge() };
    // The database before the secret beside it: opening it makes the data folder, and says in
    // one line why when it cannot.
    client = await openLibsql(config);
    config = { ...config, forumSecret: developmentSecret(config) };
    deps = makeDeps(createDb({ libsql: client }), config, {
      mail,
      notify: { nudge: () => notifying?.nudge() },
      writeCheck: databaseFile(config.databaseUrl) ? embeddedWriteCheck(client) : undefined,
    });
    if (config.seedDemo && (await seedDemo(deps))) {
      log('Added demo content to the empty forum.');
      await seedDemoStaff(deps);
    }
    if (config.seedDemo && config.nodeEnv !== 'production') {
      deps.demo = await demoSignIns(deps, devPeople, log);
    }
    watcher = dataVersionWatcher(config);
    // The outbox is delivered from this process (and may be from `npm run cli -- mail:send`).
    if (transport) delivery = startDeliveryLoop(deps, transport, { log });
    reindexing = reindexInBackground(deps, log);
    // Notifications are fanned out from this process, after the posts that cause them.
    notifying = startNotificationLoop(deps, log);
  } catch (err) {
    client?.close();
    await transport?.close?.();
    await mailCatcher?.close();
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

  // HTTP/1.1 (no createServer option), whose connections can be closed one by one.
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
      // No request runs any more: what is being sent is finished, then nothing more is sent.
      await reindexing?.stop();
      await notifying?.stop();
      await deps.reads.write(deps.db, log);
      await delivery?.stop();
      await transport?.close?.();
      await mailCatcher?.close();
      await deps.visits.flush(deps.db).catch((err) => log(`stats ${describeError(err)}`));
      watcher?.close();
      if (databaseFile(config.databaseUrl)) {
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
  return { url: `http://${host}:${port}`, config, devIdentityProvider, mailCatcher, close };
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
