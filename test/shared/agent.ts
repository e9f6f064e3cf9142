/**
 * A tiny browser for app tests: keeps cookies, sends forms the way a browser on the forum's own
 * origin does (Origin header, urlencoded body), never follows redirects by itself.
 */
export type Fetch = (path: string, init?: RequestInit) => Response | Promise<Response>;

export const ORIGIN = 'http://forum.test';

export type Agent = ReturnType<typeof agent>;

export function agent(fetch: Fetch, opts: { client?: string } = {}) {
  const jar = new Map<string, string>();
  const headers = (extra?: HeadersInit) => {
    const h = new Headers(extra);
    if (jar.size > 0) h.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    if (opts.client) h.set('x-test-client', opts.client);
    return h;
  };
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = (pair ?? '').split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '';
      if (!name) continue;
      if (expired) jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
    return res;
  };
  return {
    jar,
    async get(path: string, extra?: HeadersInit) {
      return remember(await fetch(path, { headers: headers(extra), redirect: 'manual' }));
    },
    async post(path: string, fields: Record<string, string> = {}, extra?: HeadersInit) {
      const h = headers(extra);
      if (!h.has('Origin')) h.set('Origin', ORIGIN);
      h.set('Content-Type', 'application/x-www-form-urlencoded');
      return remember(
        await fetch(path, {
          method: 'POST',
          headers: h,
          body: new URLSearchParams(fields).toString(),
          redirect: 'manual',
        }),
      );
    },
  };
}

/** The path (and query and hash) a redirect points to. */
export function location(res: Response): string {
  const url = new URL(res.headers.get('location') ?? '', ORIGIN);
  return `${url.pathname}${url.search}${url.hash}`;
}
