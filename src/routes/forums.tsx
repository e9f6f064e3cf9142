import { type Context, Hono } from 'hono';
import * as z from 'zod';
import { FORUM_WATCH_LEVELS } from '../../domain/words';
import { ForumPage } from '../../views/pages/forum';
import { HomePage } from '../../views/pages/home';
import { LatestPage } from '../../views/pages/latest';
import { WatchPage } from '../../views/pages/watch';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { canChooseWatch, canStartTopic, requireChooseWatch } from '../policy';
import {
  decodeCursor,
  encodeCursor,
  getForumBySlug,
  listForumGroups,
  listLatestTopics,
  listTopics,
  TOPIC_FILTERS,
} from '../services/forums';
import { unreadIn } from '../services/reading';
import { forumWatchLevel, watchForum } from '../services/watching';
import { pageQuery, parseQuery } from '../validation/fields';
import { forumWatchForm, parseForm } from '../validation/forms';
import { readForm } from './forms';
import { frameOf } from './frame';

const cursor = z
  .string()
  .refine(
    (s) => decodeCursor(s) !== undefined,
    'That page link is not valid; start from the first page.',
  )
  .optional();
const forumQuery = pageQuery.extend({
  after: cursor,
  before: cursor,
  filter: z
    .enum(TOPIC_FILTERS, {
      error: 'There is no such list of topics: use ?filter=unanswered or ?filter=answered.',
    })
    .optional(),
});

const latestQuery = pageQuery.extend({
  after: cursor,
  before: cursor,
  filter: z
    .enum(['unanswered'], {
      error: 'There is no such list of topics: use ?filter=unanswered, or no filter.',
    })
    .optional(),
});

/** A signed-in person's new posts in the listed topics; nothing for visitors. */
const unreadOf = (c: Context<AppEnv>, topics: { id: number }[]) => {
  const viewer = c.get('viewer');
  return viewer
    ? unreadIn(
        c.get('deps'),
        viewer.id,
        topics.map((t) => t.id),
      )
    : undefined;
};

export const forumRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const groups = await listForumGroups(c.get('deps'));
    return c.html(<HomePage frame={frameOf(c)} groups={groups} />);
  })
  .get('/latest', async (c) => {
    const deps = c.get('deps');
    const q = parseQuery(latestQuery, c.req.query());
    const after = decodeCursor(q.after);
    const before = decodeCursor(q.before);
    const result = await listLatestTopics(deps, {
      page: q.page,
      unanswered: q.filter === 'unanswered',
      ...(after ? { after } : {}),
      ...(before ? { before } : {}),
    });
    const beyond =
      result.pageCount === null
        ? result.topics.length === 0 && q.page > 1
        : q.page > result.pageCount;
    if (beyond) throw new NotFoundError('This list has no page with that number.');
    const base = `/latest${q.filter ? `?filter=${q.filter}` : ''}`;
    const more = q.filter ? '&' : '?';
    return c.html(
      <LatestPage
        frame={frameOf(c)}
        now={deps.now()}
        topics={result.topics}
        unread={await unreadOf(c, result.topics)}
        unanswered={q.filter === 'unanswered'}
        page={result.page}
        pageCount={result.pageCount}
        prevHref={
          result.prev
            ? result.page === 2
              ? base
              : `${base}${more}page=${result.page - 1}&before=${encodeCursor(result.prev)}`
            : null
        }
        nextHref={
          result.next
            ? `${base}${more}page=${result.page + 1}&after=${encodeCursor(result.next)}`
            : null
        }
        canonical={`${deps.config.publicOrigin}${base}${result.page > 1 ? `${more}page=${result.page}` : ''}`}
      />,
    );
  })
  .get('/f/:forum', async (c) => {
    const deps = c.get('deps');
    const q = parseQuery(forumQuery, c.req.query());
    const viewer = c.get('viewer');
    const forum = await getForumBySlug(deps, c.req.param('forum'));
    const result = await listTopics(deps, forum, {
      page: q.page,
      filter: q.filter,
      after: decodeCursor(q.after),
      before: decodeCursor(q.before),
    });
    if (q.page > result.pageCount) {
      throw new NotFoundError(
        `This forum has ${result.pageCount} page${result.pageCount === 1 ? '' : 's'} of topics.`,
      );
    }
    // The filter stays in every link of the list: its pages, its canonical address.
    const base = `/f/${forum.slug}${q.filter ? `?filter=${q.filter}` : ''}`;
    const more = q.filter ? '&' : '?';
    const prevHref = result.prev
      ? result.page === 2
        ? base
        : `${base}${more}page=${result.page - 1}&before=${encodeCursor(result.prev)}`
      : null;
    const nextHref = result.next
      ? `${base}${more}page=${result.page + 1}&after=${encodeCursor(result.next)}`
      : null;
    return c.html(
      <ForumPage
        frame={frameOf(c)}
        now={deps.now()}
        newTopic={
          canStartTopic(c.get('viewer'), forum, deps.now())
            ? 'allowed'
            : c.get('viewer')
              ? 'not-allowed'
              : 'sign-in'
        }
        forum={forum}
        watch={
          viewer && canChooseWatch(viewer)
            ? {
                action: `/f/${forum.slug}/watch`,
                levels: FORUM_WATCH_LEVELS,
                level: await forumWatchLevel(deps, viewer.id, forum.id),
                what: 'this forum',
              }
            : null
        }
        topics={result.topics}
        unread={await unreadOf(c, result.topics)}
        filter={q.filter ?? null}
        page={result.page}
        pageCount={result.pageCount}
        prevHref={prevHref}
        nextHref={nextHref}
        canonical={`${deps.config.publicOrigin}${base}${result.page > 1 ? `${more}page=${result.page}` : ''}`}
      />,
    );
  })
  // How closely the viewer follows the forum (field `level`): any signed-in person. A value no
  // form sends gets the choice back on a page of its own (422).
  .post('/f/:forum/watch', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    const parsed = parseForm(forumWatchForm, await readForm(c));
    if (!parsed.ok) {
      requireChooseWatch(viewer);
      const forum = await getForumBySlug(deps, c.req.param('forum'));
      return c.html(
        <WatchPage
          frame={frameOf(c)}
          title={forum.name}
          href={`/f/${forum.slug}`}
          crumbs={[{ href: '/', label: 'Forums' }]}
          choice={{
            action: `/f/${forum.slug}/watch`,
            levels: FORUM_WATCH_LEVELS,
            level: await forumWatchLevel(deps, viewer.id, forum.id),
            what: 'this forum',
            error: parsed.errors.level,
          }}
        />,
        422,
      );
    }
    const done = await watchForum(deps, viewer, c.req.param('forum'), parsed.data.level);
    return c.redirect(`/f/${done.slug}`, 303);
  });
