/**
 * The Node server's cache of pages for visitors who are not signed in: the same bytes for
 * everyone, so a page read a thousand times a second is rendered a few times a second. Only
 * responses the app marks `Cache-Control: public` are kept (never a signed-in page, a form's
 * answer, an error, or a page that depends on request headers), for `ttlMs` at most, and only for
 * requests to the forum's public host, under the path and query the app routed. A page is kept
 * with the generation taken before it was rendered; a change to the database makes every entry
 * stale at once: a successful write of this process, or (with `dataVersion`) any commit on the
 * database file, this process's or another's (the command line, a second server).
 * See docs/decisions/008-page-cache.md.
 *
 * It also compresses (gzip) what it sends, once per cached page instead of once per request.
 */
import { SESSION_COOKIE } from './auth/cookies';

type Variant = { body: Uint8Array; headers: [string, string][]; rawHeaders: string[] };

type Entry = {
  status: number;
  identity: Variant;
  gzip: Variant | undefined;
  /** the kind of page, for the visit counter */
  kind: string | undefined;
  storedAt: number;
  generation: number;
};

export type PageCacheOptions = {
  ttlMs: number;
  /**
   * The forum's public host (PUBLIC_ORIGIN's host, with its port): pages are kept and served only
   * for requests to it, so that no Host header can choose what another visitor gets.
   */
  host: string;
  maxEntries?: number;
  now?: () => number;
  /** a page served from the cache still counts as a visit */
  onHit?: (kind: string, facts: RequestFacts) => void;
  /**
   * A value that changes whenever a commit reaches the database, whoever made it (SQLite's
   * `PRAGMA data_version` on a connection of its own). Read at most once every
   * `DATA_VERSION_CHECK_MS` on reads and after every write request. Without it, the successful
   * writes of this process are all the cache knows about.
   */
  dataVersion?: () => Promise<unknown>;
};

/**
 * How often reads look at the data version: a hit stays a map look-up, and a commit by another
 * process is seen by the first request that comes this long after it.
 */
export const DATA_VERSION_CHECK_MS = 5;

/** The app names the kind of page in this header for the cache; it never leaves the server. */
export const PAGE_KIND_HEADER = 'x-forum-page-kind';

const COMPRESSIBLE = /^(text\/|application\/(json|javascript)|image\/svg\+xml)/;

/**
 * What the cache reads of a request. Node servers can hand these over from the raw request, so
 * that a hit never has to build the full Request object (which is most of a hit's cost).
 */
export type RequestFacts = {
  method: string;
  /** the host the request was sent to (the Host header, or the URL's host) */
  host: string | undefined;
  /** path and query */
  path: string;
  cookie: string | undefined;
  acceptEncoding: string | undefined;
  /** the visitor's country, when a trusted header says it (for the visit counter) */
  country?: string | undefined;
};

/**
 * The host and the path + query of a request URL as the app routes it: Hono reads the path from
 * the URL's text up to `?` or `#`, and the query after it.
 */
export function routedAddress(url: string): { host: string; path: string } {
  const authority = url.indexOf('//') + 2;
  const slash = url.indexOf('/', authority);
  if (slash === -1) return { host: url.slice(authority), path: '/' };
  const hash = url.indexOf('#', slash);
  return {
    host: url.slice(authority, slash),
    path: url.slice(slash, hash === -1 ? undefined : hash),
  };
}

export function factsOf(request: Request): RequestFacts {
  return {
    method: request.method,
    ...routedAddress(request.url),
    cookie: request.headers.get('cookie') ?? undefined,
    acceptEncoding: request.headers.get('accept-encoding') ?? undefined,
  };
}

const acceptsGzip = (facts: RequestFacts) => /\bgzip\b/.test(facts.acceptEncoding ?? '');

// Signed-in people see pages of their own: they are never answered from, nor kept in, the cache.
const SIGNED_IN = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=`);
const signedIn = (facts: RequestFacts) => SIGNED_IN.test(facts.cookie ?? '');

async function gzip(body: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A response with its body compressed on the way out, when the client and the type allow. */
function compressed(facts: RequestFacts, response: Response): Response {
  const type = response.headers.get('content-type') ?? '';
  if (
    !response.body ||
    response.headers.has('content-encoding') ||
    !COMPRESSIBLE.test(type) ||
    !acceptsGzip(facts)
  ) {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set('content-encoding', 'gzip');
  headers.delete('content-length');
  headers.append('vary', 'Accept-Encoding');
  return new Response(response.body.pipeThrough(new CompressionStream('gzip')), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

export function createPageCache(options: PageCacheOptions) {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 2000;
  const entries = new Map<string, Entry>();
  let generation = 0;
  let seenVersion: unknown;
  let versionCheckedAt = Number.NEGATIVE_INFINITY;

  const reading = (facts: RequestFacts) => facts.method === 'GET' || facts.method === 'HEAD';
  /** whether pages may be kept for and served to this request at all */
  const cacheable = (facts: RequestFacts) =>
    reading(facts) && options.ttlMs > 0 && facts.host === options.host && !signedIn(facts);
  const versionDue = () =>
    options.dataVersion !== undefined && now() - versionCheckedAt >= DATA_VERSION_CHECK_MS;

  /** Makes every kept page stale when the database changed since the last look. */
  async function checkDataVersion(): Promise<void> {
    if (!options.dataVersion) return;
    versionCheckedAt = now();
    let version: unknown;
    try {
      version = await options.dataVersion();
    } catch {
      version = Symbol('unknown'); // cannot tell: assume it changed
    }
    if (version !== seenVersion) {
      seenVersion = version;
      generation++;
    }
  }

  /** After a request that may have written: pages kept from before may show the old state. */
  async function afterWrite(response: Response): Promise<void> {
    if (options.dataVersion) await checkDataVersion();
    else if (response.status < 400) generation++;
  }

  const variantFor = (facts: RequestFacts, entry: Entry) =>
    entry.gzip && acceptsGzip(facts) ? entry.gzip : entry.identity;

  // A hit only picks the variant the client accepts: headers were built when the page was kept.
  function serve(facts: RequestFacts, entry: Entry): Response {
    const variant = variantFor(facts, entry);
    return new Response(facts.method === 'HEAD' ? null : (variant.body as BodyInit), {
      status: entry.status,
      headers: variant.headers,
    });
  }

  /** The kept page for this request, when there is a fresh one it may be answered with. */
  function lookup(facts: RequestFacts): Entry | undefined {
    if (!cacheable(facts)) return undefined;
    const hit = entries.get(facts.path);
    if (!hit) return undefined;
    if (hit.generation !== generation || now() - hit.storedAt >= options.ttlMs) {
      entries.delete(facts.path);
      return undefined;
    }
    if (hit.kind) options.onHit?.(hit.kind, facts);
    return hit;
  }

  /** The page as an entry of `renderedAt` (the generation when rendering began). */
  async function entryOf(response: Response, renderedAt: number): Promise<Entry> {
    const body = new Uint8Array(await response.arrayBuffer());
    const kind = response.headers.get(PAGE_KIND_HEADER) ?? undefined;
    const headers: [string, string][] = [
      ...[...response.headers].filter(
        ([name]) => name !== PAGE_KIND_HEADER && name !== 'content-length' && name !== 'vary',
      ),
      ['vary', 'Accept-Encoding'],
    ];
    const variant = (b: Uint8Array, extra: [string, string][] = []): Variant => {
      const all: [string, string][] = [
        ...headers,
        ...extra,
        ['content-length', String(b.byteLength)],
      ];
      return { body: b, headers: all, rawHeaders: all.flat() };
    };
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      identity: variant(body),
      gzip:
        COMPRESSIBLE.test(type) && body.byteLength > 512
          ? variant(await gzip(body), [['content-encoding', 'gzip']])
          : undefined,
      kind,
      storedAt: now(),
      generation: renderedAt,
    };
  }

  function keep(path: string, entry: Entry) {
    // A write while the page was rendered or compressed: it may show the state from before.
    if (entry.generation !== generation) return;
    if (entries.size >= maxEntries) {
      // Forget the oldest entry (Map keeps insertion order).
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(path, entry);
  }

  return {
    /**
     * Answers from the cache when it can, otherwise asks `next` (the app) and maybe keeps the
     * answer. The host and path come from the request's URL, which is what the app routes; `facts`
     * give the rest (a Node server reads them from its raw request).
     */
    async handle(
      request: Request,
      next: (request: Request) => Promise<Response>,
      facts: RequestFacts = factsOf(request),
    ): Promise<Response> {
      if (!reading(facts)) {
        const response = await next(request);
        await afterWrite(response);
        return compressed(facts, response);
      }
      if (versionDue()) await checkDataVersion();
      const routed = { ...facts, ...routedAddress(request.url) };
      const hit = lookup(routed);
      if (hit) return serve(routed, hit);
      if (!cacheable(routed)) return compressed(facts, await next(request));
      // Taken before rendering: a write while the page renders makes this copy stale.
      const renderedAt = generation;
      const response = await next(request);
      const cacheControl = response.headers.get('cache-control') ?? '';
      if (
        routed.method !== 'GET' ||
        response.status !== 200 ||
        !/\bpublic\b/.test(cacheControl) ||
        response.headers.has('set-cookie')
      ) {
        return compressed(facts, response);
      }
      const entry = await entryOf(response, renderedAt);
      keep(routed.path, entry);
      return serve(routed, entry);
    },
    /**
     * A fresh kept page as status, flat raw headers and body, for a server that writes it itself
     * (Node: building a web Response costs more than the rest of a hit). Undefined when the page
     * is not kept, or when the data version is due to be read (then `handle` reads it).
     */
    hit(
      facts: RequestFacts,
    ): { status: number; rawHeaders: string[]; body: Uint8Array | null } | undefined {
      if (versionDue()) return undefined;
      const entry = lookup(facts);
      if (!entry) return undefined;
      const variant = variantFor(facts, entry);
      return {
        status: entry.status,
        rawHeaders: variant.rawHeaders,
        body: facts.method === 'HEAD' ? null : variant.body,
      };
    },
    get size() {
      return entries.size;
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
