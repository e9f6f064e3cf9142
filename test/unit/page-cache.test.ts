import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import {
  createPageCache,
  DATA_VERSION_CHECK_MS,
  PAGE_KIND_HEADER,
  type RequestFacts,
} from '../../src/page-cache';
import { dataVersionWatcher } from '../../src/server';
import { ORIGIN } from '../shared/agent';
import { insertAccount, PASSWORD, signIn } from '../shared/people';
import { createTestForum } from '../support/forum';

/** A stand-in app that counts how often it is asked and answers like the forum does. */
function app(
  headers: Record<string, string> = { 'cache-control': 'public, max-age=0, must-revalidate' },
) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    next: async (request: Request) => {
      calls++;
      const body = `<!DOCTYPE html><p>${request.method} ${new URL(request.url).pathname} #${calls}</p>${'x'.repeat(600)}`;
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/html; charset=UTF-8',
          [PAGE_KIND_HEADER]: '/t/:id/:slug?',
          ...headers,
        },
      });
    },
  };
}

const HOST = 'forum.test';

const get = (path: string, headers: Record<string, string> = {}, host = HOST) =>
  new Request(`http://${host}${path}`, { headers });

const post = (path: string) =>
  new Request(`http://${HOST}${path}`, { method: 'POST', body: 'x=1' });

/** A stand-in app that answers writes with `status`, to see which of them empty the cache. */
const answering = (status: number) => async () => new Response(null, { status });

describe('the page cache', () => {
  it('answers visitors from the cache, with the same bytes and headers, counting each hit', async () => {
    let clock = 0;
    const hits: string[] = [];
    const cache = createPageCache({
      ttlMs: 10_000,
      host: HOST,
      now: () => clock,
      onHit: (kind) => hits.push(kind),
    });
    const a = app();
    const first = await cache.handle(get('/t/1/x'), a.next);
    const second = await cache.handle(get('/t/1/x'), a.next);
    expect(a.calls).toBe(1);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(second.headers.get(PAGE_KIND_HEADER)).toBeNull();
    expect(hits).toEqual(['/t/:id/:slug?']);
    clock = 10_001;
    await cache.handle(get('/t/1/x'), a.next);
    expect(a.calls).toBe(2);
  });

  it('keeps a page per address, query included', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    await cache.handle(get('/t/1/x?page=2'), a.next);
    await cache.handle(get('/t/1/x?page=3'), a.next);
    await cache.handle(get('/t/1/x?page=2'), a.next);
    expect(a.calls).toBe(2);
  });

  it('never serves signed-in people from it', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    await cache.handle(get('/'), a.next);
    await cache.handle(get('/', { cookie: 'theme=dark; session=abc.def' }), a.next);
    expect(a.calls).toBe(2);
  });

  it('keeps only public 200 answers without cookies', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const answers: Record<string, string>[] = [
      {},
      { 'cache-control': 'private, no-store' },
      { 'cache-control': 'public', 'set-cookie': 'a=b' },
    ];
    for (const headers of answers) {
      const a = app(headers);
      await cache.handle(get('/p'), a.next);
      await cache.handle(get('/p'), a.next);
      expect(a.calls, JSON.stringify(headers)).toBe(2);
    }
  });

  it('forgets everything after a successful write, so people see their own changes at once', async () => {
    const cache = createPageCache({ ttlMs: 60_000, host: HOST });
    const a = app();
    await cache.handle(get('/t/1/x'), a.next);
    await cache.handle(post('/t/1/replies'), answering(303));
    const after = await cache.handle(get('/t/1/x'), a.next);
    expect(await after.text()).toContain('#2');
  });

  it('keeps its pages through writes that were refused or failed', async () => {
    const cache = createPageCache({ ttlMs: 60_000, host: HOST });
    const a = app();
    await cache.handle(get('/t/1/x'), a.next);
    for (const status of [400, 403, 404, 413, 422, 429]) {
      await cache.handle(post('/nonexistent'), answering(status));
    }
    await cache.handle(get('/t/1/x'), a.next);
    expect(a.calls).toBe(1);
  });

  it('keeps and serves pages only for the public host', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    await cache.handle(get('/t/1/x', {}, 'elsewhere.test'), a.next);
    await cache.handle(get('/t/1/x', {}, 'elsewhere.test'), a.next);
    expect(a.calls).toBe(2);
    await cache.handle(get('/t/1/x'), a.next);
    await cache.handle(get('/t/1/x', {}, 'elsewhere.test'), a.next);
    expect(a.calls).toBe(4);
    const facts = { method: 'GET', path: '/t/1/x', cookie: undefined, acceptEncoding: undefined };
    expect(cache.hit({ ...facts, host: HOST })).toBeDefined();
    expect(cache.hit({ ...facts, host: 'elsewhere.test' })).toBeUndefined();
    expect(cache.hit({ ...facts, host: undefined })).toBeUndefined();
  });

  it('keys a page on the path the app routed, not on the target the server read', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    // What a Node server reads from `GET /privacy` with a Host header that carries `/?`: the
    // app routes `/` of another host (the URL is built from Host + target).
    const raw = {
      method: 'GET',
      host: '\xfc\xad\xad\xad\xad/?',
      path: '/privacy',
      cookie: undefined,
      acceptEncoding: undefined,
    };
    await cache.handle(get('/?/privacy', {}, 'xn--tda'), a.next, raw);
    expect(cache.size).toBe(0);
    // The public host with a target that the URL normalises: kept under what the app routed.
    await cache.handle(get('/t/1/x'), a.next, { ...raw, host: HOST, path: '/t/1/./x' });
    expect(cache.hit({ ...raw, host: HOST, path: '/t/1/x' })).toBeDefined();
    expect(cache.hit({ ...raw, host: HOST, path: '/t/1/./x' })).toBeUndefined();
  });

  it('never keeps the answer to a HEAD request', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    const head = new Request(`http://${HOST}/t/1/x`, { method: 'HEAD' });
    await cache.handle(head, a.next);
    const page = await cache.handle(get('/t/1/x'), a.next);
    expect(await page.text()).toContain('#2');
  });

  it('sends gzip to clients that accept it, compressed once', async () => {
    const cache = createPageCache({ ttlMs: 10_000, host: HOST });
    const a = app();
    const plain = await (await cache.handle(get('/t/1/x'), a.next)).text();
    const zipped = await cache.handle(get('/t/1/x', { 'accept-encoding': 'gzip, br' }), a.next);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    const body = new Uint8Array(await zipped.arrayBuffer());
    expect(Number(zipped.headers.get('content-length'))).toBe(body.byteLength);
    const unzipped = await new Response(
      new Blob([body]).stream().pipeThrough(new DecompressionStream('gzip')),
    ).text();
    expect(unzipped).toBe(plain);
    expect(body.byteLength).toBeLessThan(plain.length);
    expect(a.calls).toBe(1);
  });

  it('can be turned off', async () => {
    const cache = createPageCache({ ttlMs: 0, host: HOST });
    const a = app();
    await cache.handle(get('/'), a.next);
    await cache.handle(get('/'), a.next);
    expect(a.calls).toBe(2);
  });
});

describe('the page cache and the database', () => {
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const cleanup of cleanups) cleanup();
  });

  /** A database file, a connection that writes to it, and the server's data-version watcher. */
  async function databaseFile() {
    const dir = mkdtempSync(join(tmpdir(), 'page-cache-'));
    const databaseUrl = `file:${join(dir, 'forum.db')}`;
    const writer = createClient({ url: databaseUrl });
    await writer.execute('PRAGMA journal_mode = WAL');
    await writer.execute('CREATE TABLE notes (body TEXT)');
    const watcher = dataVersionWatcher({ databaseUrl });
    if (!watcher) throw new Error('an embedded file has a watcher');
    cleanups.push(() => {
      watcher.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { write: () => writer.execute("INSERT INTO notes VALUES ('x')"), watcher };
  }

  /** A cache that watches a database file, on a clock the test moves. */
  async function watchingCache() {
    const db = await databaseFile();
    const clock = { now: 0 };
    const cache = createPageCache({
      ttlMs: 60_000,
      host: HOST,
      now: () => clock.now,
      dataVersion: db.watcher.read,
    });
    return { db, clock, cache };
  }

  const facts = (path: string): RequestFacts => ({
    method: 'GET',
    host: HOST,
    path,
    cookie: undefined,
    acceptEncoding: undefined,
  });

  it('sees a commit by another connection (the command line, a second server) at its next look', async () => {
    const { db, clock, cache } = await watchingCache();
    const a = app();
    await cache.handle(get('/t/1/x'), a.next);
    clock.now += DATA_VERSION_CHECK_MS;
    await cache.handle(get('/t/1/x'), a.next);
    expect(a.calls).toBe(1); // looked, nothing changed

    await db.write();
    // Reads look at most once every DATA_VERSION_CHECK_MS: a hit stays a map look-up.
    expect(cache.hit(facts('/t/1/x'))).toBeDefined();
    clock.now += DATA_VERSION_CHECK_MS;
    expect(cache.hit(facts('/t/1/x'))).toBeUndefined(); // a look is due: the server asks handle()
    const after = await cache.handle(get('/t/1/x'), a.next);
    expect(await after.text()).toContain('#2');
    expect(cache.hit(facts('/t/1/x'))).toBeDefined();
  });

  it('looks after every write request, and keeps its pages when nothing was committed', async () => {
    const { db, cache } = await watchingCache(); // the clock stands still
    const a = app();
    await cache.handle(get('/t/1/x'), a.next);
    // Answered 303 without writing (signing out a visitor who was not signed in, say).
    await cache.handle(post('/logout'), answering(303));
    await cache.handle(get('/t/1/x'), a.next);
    expect(a.calls).toBe(1);

    await cache.handle(post('/t/1/replies'), async () => {
      await db.write();
      return new Response(null, { status: 303 });
    });
    await cache.handle(get('/t/1/x'), a.next); // at the same instant: the write request looked
    expect(a.calls).toBe(2);
  });

  it('never keeps a page rendered before a write as current after it', async () => {
    const forum = await createTestForum();
    cleanups.push(forum.close);
    await seedDemo(forum.deps);
    await insertAccount(forum.db, {
      username: 'interleaver',
      passwordHash: await hashPassword(PASSWORD),
      now: forum.clock.now(),
    });
    const topic = await forum.db.select().from(topics).get();
    if (!topic) throw new Error('the demo has topics');
    const topicPath = `/t/${topic.id}/${topic.slug}`;

    const cache = createPageCache({ ttlMs: 60_000, host: new URL(ORIGIN).host });
    // The app, with a gate that can hold a page after it was rendered and before the cache has it.
    let gate: Promise<void> | undefined;
    let rendered = () => {};
    const next = async (request: Request) => {
      const response = await forum.app.fetch(request);
      if (request.method === 'GET' && gate) {
        rendered();
        await gate;
      }
      return response;
    };
    const through = (path: string, init?: RequestInit) =>
      cache.handle(new Request(new URL(path, ORIGIN), init), next);
    const member = await signIn(through, 'interleaver');

    let open = () => {};
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const hasRendered = new Promise<void>((resolve) => {
      rendered = resolve;
    });
    const early = cache.handle(new Request(new URL(topicPath, ORIGIN)), next);
    await hasRendered; // the page has read the database
    gate = undefined;
    const reply = await member.post(`/t/${topic.id}/replies`, {
      body: 'Written while the page was being rendered',
    });
    expect(reply.status).toBe(303);
    open();
    expect(await (await early).text()).not.toContain('Written while the page');

    const after = await cache.handle(new Request(new URL(topicPath, ORIGIN)), next);
    expect(await after.text()).toContain('Written while the page was being rendered');
  });
});
