/**
 * The Node server as `npm start` runs it: a real socket, the embedded database file, demo
 * content, static files, the page cache and compression, and what visitors who do not play by
 * the rules send it (Host headers, forwarded headers, forms from other origins). Whom the rate
 * limits count (the socket, or a trusted proxy's address) is in client-address.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/env';
import { type RunningServer, startServer } from '../../src/server';
import { parseHtml } from '../support/html';

type Forum = { server: RunningServer; logs: string[]; databaseUrl: string };

const running: { forum: Forum; dir: string; closed: boolean }[] = [];

/** A server on a fresh database file; `env` adds to (or overrides) the test configuration. */
async function startForum(env: Record<string, string> = {}): Promise<Forum> {
  const dir = mkdtempSync(join(tmpdir(), 'forum-server-'));
  const databaseUrl = `file:${join(dir, 'forum.db')}`;
  const logs: string[] = [];
  const server = await startServer(
    {
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      PAGE_CACHE_SECONDS: '60',
      PLIMUS_ISSUER: 'http://127.0.0.1:9/unused',
      PLIMUS_CLIENT_ID: 'x',
      PLIMUS_CLIENT_SECRET: 'y',
      ...env,
    },
    (line) => logs.push(line),
  );
  const forum = { server, logs, databaseUrl };
  running.push({ forum, dir, closed: false });
  return forum;
}

async function stopForum(forum: Forum) {
  const entry = running.find((r) => r.forum === forum);
  if (!entry || entry.closed) return;
  entry.closed = true;
  await forum.server.close();
}

afterAll(async () => {
  for (const entry of running) {
    await stopForum(entry.forum);
    rmSync(entry.dir, { recursive: true, force: true });
  }
});

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

/**
 * A request as any client can send it, with a Host header of its choosing (fetch cannot set one):
 * header values are written as Latin-1 bytes, the way curl sends `$'\xfc'`.
 */
function send(
  forum: Forum,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const { hostname, port } = new URL(forum.server.url);
  return new Promise((done, fail) => {
    const req = httpRequest(
      { host: hostname, port, path, method: o.method ?? 'GET', headers: o.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', fail);
    req.end(o.body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

/** A topic of the demo content, found by its title on its forum's page: its path and id. */
async function demoTopic(forum: Forum, forumSlug: string, title: string) {
  const res = await fetch(`${forum.server.url}/f/${forumSlug}`);
  expect(res.status).toBe(200);
  const link = parseHtml(await res.text())
    .querySelectorAll('a')
    .find((a) => a.text.trim() === title);
  const path = link?.getAttribute('href') ?? '';
  expect(path, title).toMatch(/^\/t\/\d+\/[a-z0-9-]+$/);
  return { path, id: Number(path.split('/')[2]) };
}

const WORKING_ON = 'What are you working on this week?';

/** `POST /logout` sent to `host` by a page of `origin` (answered 303 when the form is taken). */
const signOut = (forum: Forum, host: string, origin: string) =>
  send(forum, '/logout', {
    method: 'POST',
    headers: { Host: host, Origin: origin, 'Content-Type': FORM },
    body: '',
  });

describe('npm start', () => {
  let forum: Forum;
  let server: RunningServer;
  let logs: string[];
  beforeAll(async () => {
    forum = await startForum({ TRUSTED_COUNTRY_HEADER: 'X-Visitor-Country' });
    ({ server, logs } = forum);
  });
  const url = (path: string) => `${server.url}${path}`;

  it('serves the demo forum, its styles and its own 404 page', async () => {
    const home = await fetch(url('/'));
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Acme Backup Pro');
    const css = await fetch(url('/styles.css'));
    expect(css.headers.get('content-type')).toContain('text/css');
    const missing = await fetch(url('/no/such/page'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
    expect(logs).toContain('Added demo content to the empty forum.');
  });

  it('serves repeated visitor pages from the cache, and a write shows at once', async () => {
    const topic = await demoTopic(forum, 'off-topic', WORKING_ON);
    const topicPath = topic.path;
    const first = await fetch(url(topicPath));
    expect(first.status).toBe(200);
    const before = await first.text();
    expect(before).toContain(WORKING_ON);
    const served = logs.length;
    const again = await fetch(url(topicPath));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(before);
    expect(logs.length).toBe(served); // the app did not render it again
    expect(again.headers.get('cache-control')).toContain('public');

    // someone joins and replies
    const origin = server.url;
    const joined = await fetch(url('/register'), {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=cache_writer&email=cw%40example.com&password=correct+horse+battery+staple&age_confirmed=1',
    });
    expect(joined.status).toBe(303);
    const cookie = joined.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const reply = await fetch(url(`/t/${topic.id}/replies`), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        Origin: origin,
        Cookie: cookie,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'body=Freshly+written+reply&public_ack=1',
    });
    expect(reply.status).toBe(303);
    const after = await fetch(url(topicPath));
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('Freshly written reply');

    const signedIn = await fetch(url(topicPath), { headers: { Cookie: cookie } });
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
  });

  it('compresses pages for clients that accept gzip', async () => {
    const res = await fetch(url('/privacy'), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    // fetch decodes the body; the header says it came compressed
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toContain('Privacy notice');
  });

  it('answers HEAD from the cache with the headers and no body', async () => {
    expect((await fetch(url('/f/marketplace-help'))).status).toBe(200);
    const head = await fetch(url('/f/marketplace-help'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/html');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await head.text()).toBe('');
  });

  it('keeps idle connections longer than clients keep theirs, and says so', async () => {
    // A client that sends on a connection the server is closing gets ECONNRESET: the client
    // (undici: 4 s; load balancers: 60 s) must be the one that closes an idle connection.
    const { hostname, port } = new URL(server.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ keepAlive: string; reused: boolean }>((done, fail) => {
        const req = httpRequest({ host: hostname, port, path: '/privacy', agent }, (res) => {
          res.resume();
          res.on('end', () =>
            done({ keepAlive: String(res.headers['keep-alive']), reused: req.reusedSocket }),
          );
        });
        req.on('error', fail);
        req.end();
      });
    try {
      const first = await get();
      const second = await get();
      expect(first.keepAlive).toBe('timeout=65');
      expect(second.reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('counts pages served from the cache, with the country the trusted header gives', async () => {
    const path = '/privacy';
    await fetch(url(path)); // kept in the cache now
    const views = 5;
    for (let i = 0; i < views; i++) {
      const res = await fetch(url(path), { headers: { 'X-Visitor-Country': 'is' } });
      expect(res.status).toBe(200);
    }
    // closing writes the counts that are still in memory
    await stopForum(forum);
    const db = createClient({ url: forum.databaseUrl });
    const country = await db.execute("SELECT count FROM country_stats WHERE country = 'IS'");
    expect(country.rows[0]?.count).toBe(views);
    const pages = await db.execute("SELECT count FROM page_view_stats WHERE kind = '/privacy'");
    // the first visit (rendered) and the same page earlier in this file count too
    expect(Number(pages.rows[0]?.count)).toBeGreaterThanOrEqual(views + 1);
    db.close();
  });

  it('names the port it was given in its public origin when PORT is 0', () => {
    expect(server.config.publicOrigin).toBe(server.url);
    expect(new URL(server.url).port).not.toBe('0');
  });

  it('refuses to start with a bad configuration, naming the variable', async () => {
    await expect(startServer({ PORT: 'eighty' }, () => {})).rejects.toThrow(ConfigError);
    await expect(startServer({ PORT: 'eighty' }, () => {})).rejects.toThrow(
      /PORT: must be a port number/,
    );
  });
});

/** Latin-1 letters whose IDNA form (`xn--…`) is 10 characters longer than they are. */
const LETTERS = '\xf2\xe0\xfe\xf8\xcb\xc0';

/**
 * A Host header that carries `route` (a path ending in `?`): soft hyphens, which IDNA drops, pad it
 * to the length of its IDNA form, so @hono/node-server accepts it and builds the URL
 * `http://xn--…${route}${target}`. The app routes `route`; the request target becomes a query.
 */
function hostCarrying(route: string): string {
  const padding = new URL(`http://${LETTERS}/`).hostname.length - LETTERS.length - route.length;
  const host = `${LETTERS}${'\xad'.repeat(padding)}${route}`;
  // The premise, as Node's URL parser (the one the server uses) sees it.
  const built = new URL(`http://${host}/privacy`);
  expect(built.hostname.length).toBe(host.length);
  expect(`${built.pathname}?`).toBe(route);
  return host;
}

describe('a Host header of the sender’s choosing', () => {
  let forum: Forum;
  beforeAll(async () => {
    forum = await startForum();
  });
  const url = (path: string) => `${forum.server.url}${path}`;
  const h1 = async (res: Response) => parseHtml(await res.text()).querySelector('h1')?.text;

  it.each([
    ['the forum index', '/?', '/f/off-topic', 'Off-topic'],
    ['a member’s profile', '/u/marta?', '/f/announcements', 'Announcements'],
  ])(
    'cannot keep %s under the address of another page, gzip copy included',
    async (_what, route, target, title) => {
      await send(forum, target, {
        headers: { Host: hostCarrying(route), 'Accept-Encoding': 'gzip' },
      });
      for (const encoding of ['identity', 'gzip']) {
        const res = await fetch(url(target), { headers: { 'Accept-Encoding': encoding } });
        expect(await h1(res), `${target} (${encoding})`).toBe(title);
      }
    },
  );

  it('gets pages rendered for it, never kept for it or served from what others were sent', async () => {
    const path = '/f/pixelsmith-studio';
    expect((await fetch(url(path))).status).toBe(200);
    const rendered = forum.logs.length;
    await fetch(url(path));
    expect(forum.logs.length).toBe(rendered); // kept for the public host
    for (let i = 1; i <= 2; i++) {
      const other = await send(forum, path, { headers: { Host: 'forum.example' } });
      expect(other.status).toBe(200);
      expect(forum.logs.length).toBe(rendered + i); // rendered each time
    }
  });

  it('does not make a form from its own origin count as the forum’s', async () => {
    expect((await signOut(forum, 'forum.example', 'http://forum.example')).status).toBe(403);
    const own = new URL(forum.server.config.publicOrigin);
    expect((await signOut(forum, own.host, own.origin)).status).toBe(303);
  });

  it('cannot ask for HSTS on a forum whose public origin is http', async () => {
    const res = await send(forum, '/', { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});

const ROOT = resolve(import.meta.dirname, '../..');

/** The command line (`npm run cli -- …`), as another process on the same database file. */
function cli(databaseUrl: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/cli.ts', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATABASE_URL: databaseUrl,
        },
      },
      (err, _stdout, stderr) => (err ? fail(new Error(stderr)) : done()),
    );
  });
}

describe('kept pages and writes', () => {
  let forum: Forum;
  beforeAll(async () => {
    forum = await startForum();
  });
  const url = (path: string) => `${forum.server.url}${path}`;
  const origin = () => forum.server.config.publicOrigin;

  it('stay kept through writes that were refused or changed nothing', async () => {
    const path = '/f/acme-backup-pro';
    const topic = await demoTopic(forum, 'off-topic', WORKING_ON);
    expect((await fetch(url(path))).status).toBe(200);
    const rendered = forum.logs.length;
    const attempts: [string, Record<string, string>, string][] = [
      [
        `/t/${topic.id}/replies`,
        { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
        'body=x',
      ],
      ['/nonexistent', { Origin: origin() }, 'x=1'],
      ['/login', { Origin: origin() }, 'login=&password='],
      ['/logout', { Origin: origin() }, ''],
    ];
    const statuses: number[] = [];
    for (const [target, headers, body] of attempts) {
      const res = await fetch(url(target), {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, 'Content-Type': FORM },
        body,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([403, 404, 422, 303]);
    const requests = forum.logs.length;
    await fetch(url(path));
    expect(forum.logs.length).toBe(requests); // still served from the cache
    expect(requests).toBe(rendered + attempts.length);
  });

  it('show a change made by the command line at once', { timeout: 120_000 }, async () => {
    const path = '/u/marta';
    expect((await fetch(url(path))).status).toBe(200);
    const kept = await fetch(url(path));
    expect(kept.status).toBe(200);
    const before = await kept.text();
    expect(before).toContain('Marta Kowalski');
    expect(before).not.toContain('Moderator');
    await cli(forum.databaseUrl, ['set-role', 'marta', 'moderator']);
    const after = await (await fetch(url(path))).text();
    expect(after).toContain('Moderator');
  });
});

describe('behind a TLS proxy (PUBLIC_ORIGIN https, TRUSTED_PROXY=1)', () => {
  let forum: Forum;
  beforeAll(async () => {
    forum = await startForum({ PUBLIC_ORIGIN: 'https://forum.example', TRUSTED_PROXY: '1' });
  });

  it('sends HSTS although the proxy speaks plain http to it', async () => {
    const res = await send(forum, '/privacy', { headers: { Host: 'forum.example' } });
    expect(res.headers['strict-transport-security']).toContain('max-age=');
  });

  it('takes forms from the public origin only, whatever the Host', async () => {
    expect((await signOut(forum, 'forum.example', 'https://forum.example')).status).toBe(303);
    const local = new URL(forum.server.url);
    expect((await signOut(forum, local.host, local.origin)).status).toBe(403);
  });
});

describe('email from the server', () => {
  it('starts the development mail catcher without SMTP_URL, says where, and delivers to it from its own loop', async () => {
    const forum = await startForum();
    const { server, logs } = forum;
    const catcher = server.mailCatcher;
    expect(catcher?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs).toContain(
      `Development mail catcher at ${catcher?.url} (the forum's email goes there, to nobody's mailbox)`,
    );
    // Registering queues a confirmation link; the server's loop sends it at once.
    const joined = await send(forum, '/register', {
      method: 'POST',
      headers: {
        Host: new URL(server.url).host,
        Origin: server.config.publicOrigin,
        'Content-Type': FORM,
      },
      body: 'username=catcher_test&email=catcher.test%40example.org&password=correct+horse+battery+staple&age_confirmed=1',
    });
    expect(joined.status).toBe(303);
    const [mail] = (await catcher?.waitFor(1)) ?? [];
    expect(mail?.to).toEqual(['catcher.test@example.org']);
    // The catcher's page lists it, shows its text with the link, and its raw message.
    const list = parseHtml(await (await fetch(`${catcher?.url}/`)).text());
    const row = list.querySelector('tbody tr');
    expect(row?.text).toContain('catcher.test@example.org');
    expect(row?.text).toContain('Confirm your email address for the Plimus Community Forums');
    const message = parseHtml(await (await fetch(`${catcher?.url}/m/${mail?.id}`)).text());
    const link = message.querySelector('.mail-text a')?.getAttribute('href') ?? '';
    expect(link.startsWith(`${server.config.publicOrigin}/account/email/confirm?token=`)).toBe(
      true,
    );
    const raw = await (await fetch(`${catcher?.url}/m/${mail?.id}/raw`)).text();
    expect(raw).toMatch(/^Message-ID: <[0-9a-f]{32}@localhost>$/m);
    // No address in the server's log.
    expect(logs.join('\n')).not.toContain('catcher.test@example.org');
  });

  it('starts no catcher when SMTP_URL is set, and the catcher refuses to start in production', async () => {
    const { startMailCatcher } = await import('../../dev/mail-catcher');
    const smtp = await startMailCatcher({ nodeEnv: 'test' });
    try {
      const { server, logs } = await startForum({ SMTP_URL: smtp.smtpUrl });
      expect(server.mailCatcher).toBeUndefined();
      expect(logs.some((l) => l.includes('mail catcher'))).toBe(false);
    } finally {
      await smtp.close();
    }
    await expect(startMailCatcher({ nodeEnv: 'production' })).rejects.toThrow(
      /does not run with NODE_ENV=production/,
    );
  });
});

describe("a development forum's demo people", () => {
  const DEMO_LINE = /^Demo staff \(development only\), at (\S+)\/login: (.*)$/;
  const printedStaff = (logs: string[]) => {
    const line = logs.map((l) => DEMO_LINE.exec(l)).find((m) => m);
    return [...(line?.[2] ?? '').matchAll(/(\w+) with the password (\S+) \((\w+)\)/g)].map((m) => ({
      username: m[1] ?? '',
      password: m[2] ?? '',
      role: m[3] ?? '',
    }));
  };
  const signInAs = async (forum: Forum, login: string, password: string) => {
    const res = await send(forum, '/login', {
      method: 'POST',
      headers: { Origin: forum.server.config.publicOrigin, 'Content-Type': FORM },
      body: new URLSearchParams({ login, password }).toString(),
    });
    const cookie = ([res.headers['set-cookie'] ?? []].flat()[0] ?? '').split(';')[0] ?? '';
    return { status: res.status, cookie };
  };

  it('prints a demo moderator and administrator with passwords that sign them in, the same at every start', async () => {
    const forum = await startForum();
    const staff = printedStaff(forum.logs);
    expect(staff.map((s) => [s.username, s.role])).toEqual([
      ['demo_moderator', 'moderator'],
      ['demo_admin', 'admin'],
    ]);
    for (const s of staff) expect(s.password).toMatch(/^[\w-]{20}$/);
    expect(staff[0]?.password).not.toBe(staff[1]?.password);
    const admin = await signInAs(forum, 'demo_admin', staff[1]?.password ?? '');
    expect(admin.status).toBe(303);
    expect((await send(forum, '/admin', { headers: { Cookie: admin.cookie } })).status).toBe(200);
    const moderator = await signInAs(forum, 'demo_moderator', staff[0]?.password ?? '');
    expect((await send(forum, '/mod', { headers: { Cookie: moderator.cookie } })).status).toBe(200);
    expect((await send(forum, '/admin', { headers: { Cookie: moderator.cookie } })).status).toBe(
      403,
    );

    // The sign-in page names them, never with a password.
    const login = await send(forum, '/login');
    const box = parseHtml(login.body).querySelector('section.demo-people');
    expect(box?.querySelector('h2')?.text).toBe('Demo people of this development forum');
    expect(box?.text).toContain('demo_moderator, a moderator');
    expect(box?.text).toContain('demo_admin, an administrator');
    expect(box?.text).toContain('printed where the forum was started');
    for (const s of staff) expect(login.body).not.toContain(s.password);

    // Started again on the same database: the same passwords, nothing created twice.
    await stopForum(forum);
    const again = await startForum({ DATABASE_URL: forum.databaseUrl });
    expect(again.logs).not.toContain('Added demo content to the empty forum.');
    expect(printedStaff(again.logs)).toEqual(staff);

    // A password changed since is not printed as if it still worked.
    const db = createClient({ url: forum.databaseUrl });
    await db.execute("UPDATE users SET password_hash = NULL WHERE username = 'demo_moderator'");
    db.close();
    await stopForum(again);
    const changed = await startForum({ DATABASE_URL: forum.databaseUrl });
    expect(printedStaff(changed.logs).map((s) => s.username)).toEqual(['demo_admin']);
    expect((await send(changed, '/login')).body).not.toContain('demo_moderator');
  });

  it('in production: no demo content unless asked, and never demo staff', async () => {
    const production = {
      NODE_ENV: 'production',
      FORUM_SECRET: 'p'.repeat(32),
      PLIMUS_ISSUER: '',
      PLIMUS_CLIENT_ID: '',
      PLIMUS_CLIENT_SECRET: '',
    };
    const plain = await startForum(production);
    expect(plain.logs).not.toContain('Added demo content to the empty forum.');
    expect(printedStaff(plain.logs)).toEqual([]);
    await stopForum(plain);

    const asked = await startForum({ ...production, SEED_DEMO: 'true' });
    expect(asked.logs).toContain('Added demo content to the empty forum.');
    expect(asked.logs.some((l) => l.startsWith('Demo staff'))).toBe(false);
    const login = await send(asked, '/login');
    expect(parseHtml(login.body).querySelector('section.demo-people')).toBeNull();
    const db = createClient({ url: asked.databaseUrl });
    const rows = await db.execute(
      "SELECT count(*) AS n FROM users WHERE username IN ('demo_moderator', 'demo_admin')",
    );
    db.close();
    expect(Number(rows.rows[0]?.n)).toBe(0);
  });
});
