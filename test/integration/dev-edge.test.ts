/**
 * `npm run dev:edge` for real: wrangler migrates and seeds a local D1 database, then serves the
 * bundled worker (src/worker.ts) in workerd. The edge project runs the app's modules inside
 * workerd too, but not as one bundle through the worker's entry: only this catches what workerd
 * refuses when a bundle loads (random values or timers in a module's global scope, say) and
 * state kept by the worker between requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

/** Installing the local D1 database, bundling and starting workerd: a minute on a busy machine. */
const STARTUP_MS = 180_000;

let dir: string;
let child: ChildProcess;
let origin: string;
let output = '';

/** The forum's own origin, which mail links and forms use (not the address it listens on). */
const PUBLIC = 'http://forum.test';

/** Waits for the address wrangler says it listens on (any free port), then for /healthz. */
async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dev:edge exited early:\n${output}`);
    origin ||= /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    if (!origin) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dev:edge did not answer /healthz:\n${output}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-dev-edge-'));
  origin = '';
  child = spawn(
    TSX,
    [
      'scripts/dev-edge.ts',
      // any free port, bound by workerd itself (a port probed first could be taken meanwhile)
      '--port',
      '0',
      '--public-origin',
      PUBLIC,
      '--ip',
      '127.0.0.1',
      '--persist-to',
      dir,
    ],
    {
      cwd: ROOT,
      // its own process group, so that wrangler and workerd stop with it
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    },
  );
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitForHealth();
}, STARTUP_MS + 10_000);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run dev:edge', () => {
  it('serves the demo forum from local D1, the same page again and again', async () => {
    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('Acme Backup Pro');
    const forum = await (await fetch(`${origin}/f/marketplace-help`)).text();
    const topicPath = forum.match(/href="(\/t\/\d+\/[^"]+)"/)?.[1];
    expect(topicPath).toBeDefined();
    const pages = await Promise.all(
      [1, 2, 3].map(async () => {
        const res = await fetch(`${origin}${topicPath}`);
        return { status: res.status, body: await res.text() };
      }),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).toBe(pages[0]?.body);
      expect(page.body).toMatch(/<article id="p\d+"/);
    }
    expect((await fetch(`${origin}/styles.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('prints the demo staff with their passwords, which sign them in to the edge forum', async () => {
    const line = /Demo staff \(development only\), at (\S+)\/login: (.*)/.exec(output);
    // the forum's public address (it listens where wrangler says)
    expect(line?.[1]).toBe(PUBLIC);
    const printed = [...(line?.[2] ?? '').matchAll(/(\w+) with the password (\S+) \((\w+)\)/g)];
    expect(printed.map((m) => [m[1], m[3]])).toEqual([
      ['demo_moderator', 'moderator'],
      ['demo_admin', 'admin'],
    ]);
    const admin = printed[1];
    const signedIn = await fetch(`${origin}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: PUBLIC, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: admin?.[1] ?? '', password: admin?.[2] ?? '' }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect((await fetch(`${origin}/admin`, { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('lets a newcomer join, start a topic and see it cooked', async () => {
    const joined = await fetch(`${origin}/register`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: PUBLIC, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=edge_newcomer&email=edge%40example.com&password=correct+horse+battery+staple&age_confirmed=1',
    });
    expect(joined.status).toBe(303);
    const cookie = joined.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(cookie).toMatch(/=/);
    const account = await fetch(`${origin}/account`, { headers: { Cookie: cookie } });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('edge_newcomer');

    const posted = await fetch(`${origin}/f/off-topic`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        Origin: PUBLIC,
        Cookie: cookie,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        title: 'Hello from the edge',
        body: 'Some **bold** words and [a link](https://example.org/page).',
        kind: 'discussion',
        public_ack: '1',
      }).toString(),
    });
    expect(posted.status).toBe(303);
    // on the address the forum listens on, whatever origin the redirect names
    const topicUrl = new URL(
      new URL(posted.headers.get('location') ?? '', origin).pathname,
      origin,
    );
    expect(topicUrl.pathname).toMatch(/^\/t\/\d+\/hello-from-the-edge$/);
    const topic = await (await fetch(topicUrl, { headers: { Cookie: cookie } })).text();
    expect(topic).toContain('<strong>bold</strong>');
    expect(topic).toContain('href="/out?url=https%3A%2F%2Fexample.org%2Fpage"');
  });

  it('says where the local runtime puts the email it would send, and puts the confirmation there', async () => {
    expect(output).toContain('.wrangler/tmp/email/<session>/email-text/<id>.txt');
    expect(output).toContain('curl <the address wrangler prints>/cdn-cgi/local/scheduled');
    // The newcomer above was sent the link to confirm the address, right after the response.
    const deadline = Date.now() + 20_000;
    while (!output.includes('send_email binding called') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const printed = output.slice(output.indexOf('send_email binding called'));
    expect(printed).toMatch(/Subject: Confirm your email address for the Plimus Community Forums/);
    const file = /Text: (\S+\.txt)/.exec(printed)?.[1] ?? '';
    expect(file).toMatch(/\.wrangler\/tmp\/email\/[^/]+\/email-text\//);
    expect(readFileSync(file, 'utf8')).toMatch(
      new RegExp(`${PUBLIC.replaceAll('.', '\\.')}/account/email/confirm\\?token=[a-z2-7]{32}`),
    );
    rmSync(file);
  });
});
