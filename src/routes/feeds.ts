import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { type Context, Hono } from 'hono';
import { type AtomFeed, atomFeed } from '../content/atom';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { forumFeed, forumWideFeed, topicFeed } from '../services/feeds';
import { notificationFeed } from '../services/notifications';
import { idParam } from '../validation/fields';

/**
 * An Atom feed with the headers feed readers poll with: an ETag of the document and its
 * Last-Modified; a request that names either, unchanged, gets 304 without a body.
 */
function serveFeed(c: Context<AppEnv>, feed: AtomFeed, cache = 'public, max-age=300') {
  const body = atomFeed(feed);
  const etag = `"${encodeHexLowerCase(sha256(new TextEncoder().encode(body))).slice(0, 32)}"`;
  const modified = new Date(Math.floor(feed.updated.getTime() / 1000) * 1000);
  c.header('ETag', etag);
  c.header('Last-Modified', modified.toUTCString());
  c.header('Cache-Control', cache);
  const match = c.req.header('If-None-Match');
  const since = Date.parse(c.req.header('If-Modified-Since') ?? '');
  const unchanged = match
    ? match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')
    : Number.isFinite(since) && modified.getTime() <= since;
  if (unchanged) return c.body(null, 304);
  return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
}

/**
 * `/feed.atom`, `/f/:forum/feed.atom`, `/t/:id/feed.atom`, and a person's private
 * `/notifications/:key/feed.atom`. Mounted before the topic pages.
 */
export const feedRoutes = new Hono<AppEnv>()
  .get('/feed.atom', async (c) => serveFeed(c, await forumWideFeed(c.get('deps'))))
  .get('/f/:forum/feed.atom', async (c) =>
    serveFeed(c, await forumFeed(c.get('deps'), c.req.param('forum'))),
  )
  .get('/t/:id/feed.atom', async (c) =>
    serveFeed(c, await topicFeed(c.get('deps'), idParam(c.req.param('id')))),
  )
  // A person's notifications, at an address only they were given (see /account): never kept by
  // shared caches, never indexed.
  .get('/notifications/:key/feed.atom', async (c) => {
    const feed = await notificationFeed(c.get('deps'), c.req.param('key'));
    if (!feed) throw new NotFoundError('There is no feed at this address: it may have been reset.');
    c.header('X-Robots-Tag', 'noindex');
    c.header('Referrer-Policy', 'no-referrer');
    return serveFeed(c, feed, 'private, max-age=60');
  });
