import { Hono } from 'hono';
import type { PostActions } from '../../views/components/post';
import { TopicPage } from '../../views/pages/topic';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { canEditPost, canReply, canViewHistory, isSuspended } from '../policy';
import { getTopic, listPosts, locatePost, topicPageCount } from '../services/topics';
import { idParam, pageQuery, parseQuery } from '../validation/fields';
import { frameOf } from './frame';

const topicPath = (id: number, slug: string, page = 1) =>
  `/t/${id}/${slug}${page > 1 ? `?page=${page}` : ''}`;

export const topicRoutes = new Hono<AppEnv>()
  .get('/t/:id/:slug?', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    const id = idParam(c.req.param('id'));
    const { page } = parseQuery(pageQuery, c.req.query());
    const topic = await getTopic(deps, id);
    if (c.req.param('slug') !== topic.slug) return c.redirect(topicPath(id, topic.slug, page), 301);
    const pageCount = topicPageCount(topic);
    if (page > pageCount) {
      throw new NotFoundError(`This topic has ${pageCount} page${pageCount === 1 ? '' : 's'}.`);
    }
    const posts = await listPosts(deps, topic, page);
    const now = deps.now();
    const replyAllowed = canReply(viewer, topic, now);
    const actions: Record<number, PostActions> = {};
    if (viewer) {
      for (const post of posts) {
        const facts = {
          userId: post.author?.id ?? null,
          deletedAt: post.deletedAt,
          removedAt: post.removedAt,
        };
        const gone = !!(post.deletedAt || post.removedAt);
        actions[post.id] = {
          quote: replyAllowed && !gone,
          edit: canEditPost(viewer, facts, topic, now),
          delete: canEditPost(viewer, facts, topic, now),
          history: !!post.editedAt && !gone && canViewHistory(viewer, facts),
        };
      }
    }
    return c.html(
      <TopicPage
        frame={frameOf(c)}
        topic={topic}
        posts={posts}
        page={page}
        pageCount={pageCount}
        canonical={`${deps.config.publicOrigin}${topicPath(id, topic.slug, page)}`}
        prevHref={page > 1 ? topicPath(id, topic.slug, page - 1) : null}
        nextHref={page < pageCount ? topicPath(id, topic.slug, page + 1) : null}
        actions={actions}
        replyForm={replyAllowed && viewer ? { askPublicAck: !viewer.publicAckAt } : null}
        replyBlocked={
          replyAllowed
            ? null
            : topic.forum.archived
              ? 'archived'
              : topic.locked
                ? 'locked'
                : !viewer
                  ? 'sign-in'
                  : isSuspended(viewer, now)
                    ? 'suspended'
                    : null
        }
      />,
    );
  })
  .get('/p/:postId', async (c) => {
    const where = await locatePost(c.get('deps'), idParam(c.req.param('postId')));
    return c.redirect(`${topicPath(where.topicId, where.slug, where.page)}#p${where.postId}`, 302);
  });
