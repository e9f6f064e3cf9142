import { describe, expect, it } from 'vitest';
import { createPageCache, PAGE_KIND_HEADER } from '../../src/page-cache';

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

const get = (path: string, headers: Record<string, string> = {}) =>
  new Request(`http://forum.test${path}`, { headers });

describe('the page cache', () => {
  it('answers visitors from the cache, with the same bytes and headers, counting each hit', async () => {
    let clock = 0;
    const hits: string[] = [];
    const cache = createPageCache({
      ttlMs: 10_000,
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
    const cache = createPageCache({ ttlMs: 10_000 });
    const a = app();
    await cache.handle(get('/t/1/x?page=2'), a.next);
    await cache.handle(get('/t/1/x?page=3'), a.next);
    await cache.handle(get('/t/1/x?page=2'), a.next);
    expect(a.calls).toBe(2);
  });

  it('never serves signed-in people from it', async () => {
    const cache = createPageCache({ ttlMs: 10_000 });
    const a = app();
    await cache.handle(get('/'), a.next);
    await cache.handle(get('/', { cookie: 'theme=dark; session=abc.def' }), a.next);
    expect(a.calls).toBe(2);
  });

  it('keeps only public 200 answers without cookies', async () => {
    const cache = createPageCache({ ttlMs: 10_000 });
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

  it('forgets everything after a write, so people see their own changes at once', async () => {
    const cache = createPageCache({ ttlMs: 60_000 });
    const a = app();
    await cache.handle(get('/t/1/x'), a.next);
    await cache.handle(new Request('http://forum.test/t/1/replies', { method: 'POST' }), a.next);
    const after = await cache.handle(get('/t/1/x'), a.next);
    expect(await after.text()).toContain('#3');
  });

  it('sends gzip to clients that accept it, compressed once', async () => {
    const cache = createPageCache({ ttlMs: 10_000 });
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
    const cache = createPageCache({ ttlMs: 0 });
    const a = app();
    await cache.handle(get('/'), a.next);
    await cache.handle(get('/'), a.next);
    expect(a.calls).toBe(2);
  });
});
