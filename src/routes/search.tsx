import { Hono } from 'hono';
import { SearchPage } from '../../views/pages/search';
import {
  parseSearchQuery,
  queryFromForm,
  type SearchQuery,
  SearchSyntaxError,
} from '../content/search-query';
import type { AppEnv } from '../context';
import { TooManyRequestsError } from '../errors';
import { listForumGroups } from '../services/forums';
import { RANKED_POSTS, type SearchResults, searchPosts } from '../services/search';
import { pageQuery, parseQuery } from '../validation/fields';
import { frameOf } from './frame';

const pageHref = (query: string, page: number) =>
  `/search?q=${encodeURIComponent(query)}${page > 1 ? `&page=${page}` : ''}`;

/**
 * `GET /search?q=` (and the advanced form's fields, which become operators in q). The query is
 * never stored or logged; the page is never cached.
 */
export const searchRoutes = new Hono<AppEnv>().get('/search', async (c) => {
  const deps = c.get('deps');
  const fields = c.req.query();
  const text = queryFromForm(fields);
  const { page } = parseQuery(pageQuery, { ...(fields.page ? { page: fields.page } : {}) });
  c.header('Cache-Control', 'no-store');
  let results: SearchResults | null = null;
  let error: string | null = null;
  let query: SearchQuery | null = null;
  if (text) {
    const limit = deps.limits.searchPerClient.hit(c.get('client'));
    if (!limit.ok) {
      throw new TooManyRequestsError(
        `You searched many times in a short while. Please wait ${limit.retryAfterSeconds} seconds and search again.`,
        limit.retryAfterSeconds,
      );
    }
    try {
      query = parseSearchQuery(text);
      results = await searchPosts(deps, query, page);
    } catch (err) {
      if (!(err instanceof SearchSyntaxError)) throw err;
      error = err.message;
    }
  }
  const forums = (await listForumGroups(deps)).flatMap((g) =>
    g.forums.map((f) => ({ slug: f.slug, name: f.name })),
  );
  return c.html(
    <SearchPage
      frame={frameOf(c)}
      query={text}
      error={error}
      results={results}
      forums={forums}
      rankedPosts={RANKED_POSTS}
      prevHref={results && page > 1 ? pageHref(text, page - 1) : null}
      nextHref={results?.hasNext ? pageHref(text, page + 1) : null}
      topicLinks={query?.filters.topic === undefined}
    />,
    error ? 400 : 200,
  );
});
