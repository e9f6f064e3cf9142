/**
 * The Node server's cache of pages for visitors who are not signed in: the same bytes for
 * everyone, so a page read a thousand times a second is rendered a few times a second. Only
 * responses the app marks `Cache-Control: public` are kept (never a signed-in page, a form's
 * answer, an error, or a page that depends on request headers), for `ttlMs` at most; any write
 * handled by this process (a non-GET request) makes every entry stale at once, so people see
 * their own changes immediately and everyone else within the TTL. Writes by other processes (the
 * command line, another server) show within the TTL.
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
  maxEntries?: number;
  now?: () => number;
  /** a page served from the cache still counts as a visit */
  onHit?: (kind: string, facts: RequestFacts) => void;
};

/** The app names the kind of page in this header for the cache; it never leaves the server. */
export const PAGE_KIND_HEADER = 'x-forum-page-kind';

const COMPRESSIBLE = /^(text\/|application\/(json|javascript)|image\/svg\+xml)/;

/**
 * What the cache reads of a request. Node servers can hand these over from the raw request, so
 * that a hit never has to build the full Request object (which is most of a hit's cost).
 */
export type RequestFacts = {
  method: string;
  path: string;
  cookie: string | undefined;
  acceptEncoding: string | undefined;
  /** the visitor's country, when a trusted header says it (for the visit counter) */
  country?: string | undefined;
};

export function factsOf(request: Request): RequestFacts {
  const url = new URL(request.url);
  return {
    method: request.method,
    path: `${url.pathname}${url.search}`,
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
    if ((facts.method !== 'GET' && facts.method !== 'HEAD') || options.ttlMs <= 0) return undefined;
    if (signedIn(facts)) return undefined;
    const hit = entries.get(facts.path);
    if (!hit) return undefined;
    if (hit.generation !== generation || now() - hit.storedAt >= options.ttlMs) {
      entries.delete(facts.path);
      return undefined;
    }
    if (hit.kind) options.onHit?.(hit.kind, facts);
    return hit;
  }

  async function store(key: string, response: Response): Promise<Entry> {
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
    const entry: Entry = {
      status: response.status,
      identity: variant(body),
      gzip:
        COMPRESSIBLE.test(type) && body.byteLength > 512
          ? variant(await gzip(body), [['content-encoding', 'gzip']])
          : undefined,
      kind,
      storedAt: now(),
      generation,
    };
    if (entries.size >= maxEntries) {
      // Forget the oldest entry (Map keeps insertion order).
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, entry);
    return entry;
  }

  return {
    /** Answers from the cache when it can, otherwise asks `next` (the app) and maybe keeps the answer. */
    async handle(
      request: Request,
      next: (request: Request) => Promise<Response>,
      facts: RequestFacts = factsOf(request),
    ): Promise<Response> {
      if (facts.method !== 'GET' && facts.method !== 'HEAD') {
        const response = await next(request);
        // Whatever this changed, pages kept from before may show the old state.
        generation++;
        return compressed(facts, response);
      }
      const hit = lookup(facts);
      if (hit) return serve(facts, hit);
      const response = await next(request);
      if (signedIn(facts) || options.ttlMs <= 0) return compressed(facts, response);
      const cacheControl = response.headers.get('cache-control') ?? '';
      if (
        response.status !== 200 ||
        !/\bpublic\b/.test(cacheControl) ||
        response.headers.has('set-cookie')
      ) {
        return compressed(facts, response);
      }
      return serve(facts, await store(facts.path, response));
    },
    /**
     * A fresh kept page as status, flat raw headers and body, for a server that writes it itself
     * (Node: building a web Response costs more than the rest of a hit).
     */
    hit(
      facts: RequestFacts,
    ): { status: number; rawHeaders: string[]; body: Uint8Array | null } | undefined {
      const entry = lookup(facts);
      if (!entry) return undefined;
      const variant = variantFor(facts, entry);
      return {
        status: entry.status,
        rawHeaders: variant.rawHeaders,
        body: facts.method === 'HEAD' ? null : variant.body,
      };
    },
    /** Makes every entry stale (used when something outside a request changed the forum). */
    invalidate() {
      generation++;
    },
    get size() {
      return entries.size;
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
