import { Hono } from 'hono';
import { TopicPage } from '../../views/pages/topic';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { getTopic, listPosts, locatePost, topicPageCount } from '../services/topics';
import { idParam, pageQuery, parseQuery } from '../validation/fields';

const topicPath = (id: number, slug: string, page = 1) =>
  `/t/${id}/${slug}${page > 1 ? `?page=${page}` : ''}`;

export const topicRoutes = new Hono<AppEnv>()
  .get('/t/:id/:slug?', async (c) => {
    const deps = c.get('deps');
    const id = idParam(c.req.param('id'));
    const { page } = parseQuery(pageQuery, c.req.query());
    const topic = await getTopic(deps, id);
    if (c.req.param('slug') !== topic.slug) return c.redirect(topicPath(id, topic.slug, page), 301);
    const pageCount = topicPageCount(topic);
    if (page > pageCount) {
      throw new NotFoundError(`This topic has ${pageCount} page${pageCount === 1 ? '' : 's'}.`);
    }
    const posts = await listPosts(deps, topic, page);
    return c.html(
      <TopicPage
        topic={topic}
        posts={posts}
        page={page}
        pageCount={pageCount}
        canonical={`${deps.config.publicOrigin}${topicPath(id, topic.slug, page)}`}
        prevHref={page > 1 ? topicPath(id, topic.slug, page - 1) : null}
        nextHref={page < pageCount ? topicPath(id, topic.slug, page + 1) : null}
      />,
    );
  })
  .get('/p/:postId', async (c) => {
    const where = await locatePost(c.get('deps'), idParam(c.req.param('postId')));
    return c.redirect(`${topicPath(where.topicId, where.slug, where.page)}#p${where.postId}`, 302);
  });
