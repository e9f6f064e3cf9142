/**
 * The Node server as `npm start` runs it: a real socket, the embedded database file, demo
 * content, static files, the page cache and compression.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/env';
import { type RunningServer, startServer } from '../../src/server';

let server: RunningServer;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-server-'));
  server = await startServer(
    {
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: `file:${join(dir, 'forum.db')}`,
      PAGE_CACHE_SECONDS: '60',
      TRUSTED_COUNTRY_HEADER: 'X-Visitor-Country',
      PLIMUS_ISSUER: 'http://127.0.0.1:9/unused',
      PLIMUS_CLIENT_ID: 'x',
      PLIMUS_CLIENT_SECRET: 'y',
    },
    (line) => logs.push(line),
  );
});

let closed = false;
afterAll(async () => {
  if (!closed) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => `${server.url}${path}`;

describe('npm start', () => {
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
    const topicPath = '/t/9/what-are-you-working-on-this-week';
    const before = await (await fetch(url(topicPath))).text();
    const served = logs.length;
    const again = await fetch(url(topicPath));
    expect(await again.text()).toBe(before);
    expect(logs.length).toBe(served); // the app did not render it again
    expect(again.headers.get('cache-control')).toContain('public');

    // someone joins and replies
    const origin = server.url;
    const join = await fetch(url('/register'), {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=cache_writer&email=cw%40example.com&password=correct+horse+battery+staple&age_confirmed=1',
    });
    const cookie = join.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const reply = await fetch(url('/t/9/replies'), {
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
    const after = await (await fetch(url(topicPath))).text();
    expect(after).toContain('Freshly written reply');

    const signedIn = await fetch(url(topicPath), { headers: { Cookie: cookie } });
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
  });

  it('compresses pages for clients that accept gzip', async () => {
    const res = await fetch(url('/privacy'), { headers: { 'Accept-Encoding': 'gzip' } });
    // fetch decodes the body; the header says it came compressed
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toContain('Privacy notice');
  });

  it('answers HEAD from the cache with the headers and no body', async () => {
    await fetch(url('/f/marketplace-help'));
    const head = await fetch(url('/f/marketplace-help'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/html');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect(await head.text()).toBe('');
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
    await server.close();
    closed = true;
    const db = createClient({ url: `file:${join(dir, 'forum.db')}` });
    const country = await db.execute("SELECT count FROM country_stats WHERE country = 'IS'");
    expect(country.rows[0]?.count).toBe(views);
    const pages = await db.execute("SELECT count FROM page_view_stats WHERE kind = '/privacy'");
    // the first visit (rendered) and the same page earlier in this file count too
    expect(Number(pages.rows[0]?.count)).toBeGreaterThanOrEqual(views + 1);
    db.close();
  });

  it('refuses to start with a bad configuration, naming the variable', async () => {
    await expect(startServer({ PORT: 'eighty' }, () => {})).rejects.toThrow(ConfigError);
    await expect(startServer({ PORT: 'eighty' }, () => {})).rejects.toThrow(
      /PORT: must be a port number/,
    );
  });
});
