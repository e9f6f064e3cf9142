import { Hono } from 'hono';
import { TOPIC_WATCH_LEVELS } from '../../domain/words';
import { TopicPage } from '../../views/pages/topic';
import { TopicKindPage } from '../../views/pages/topic-kind';
import { WatchPage } from '../../views/pages/watch';
import type { AppEnv } from '../context';
import { NotFoundError } from '../errors';
import { afterResponse } from '../middleware/after-response';
import {
  canChangeTopicKind,
  canChooseWatch,
  canReply,
  isSuspended,
  requireChangeTopicKind,
  requireChooseWatch,
} from '../policy';
import { canModerate } from '../policy/moderation';
import { postActionsFor } from '../policy/post-actions';
import { canAcceptAnswer } from '../policy/vendors';
import { acceptAnswer, getAnswers, unacceptAnswer } from '../services/answers';
import { buyerBadgeChoice } from '../services/badges';
import { likePost, likesOfPosts, unlikePost } from '../services/likes';
import { markRead, readMarksOf } from '../services/reading';
import { changeTopicKind } from '../services/topic-kind';
import {
  getTopic,
  listPosts,
  locatePost,
  type PostLocation,
  pageOfNumber,
  topicPageCount,
} from '../services/topics';
import { topicWatchLevel, watchTopic } from '../services/watching';
import { idParam, pageQuery, parseQuery } from '../validation/fields';
import { parseForm, topicKindForm, topicWatchForm } from '../validation/forms';
import { readForm } from './forms';
import { frameOf } from './frame';

const topicPath = (id: number, slug: string, page = 1) =>
  `/t/${id}/${slug}${page > 1 ? `?page=${page}` : ''}`;

/** Back to a post in its thread. */
const postPath = (at: PostLocation) => `${topicPath(at.topicId, at.slug, at.page)}#p${at.postId}`;

/** Back to the post in its thread after choosing (or clearing) the answer. */
const answerPath = (at: { topicId: number; slug: string; number: number; postId: number }) =>
  `${topicPath(at.topicId, at.slug, pageOfNumber(at.number))}#p${at.postId}`;

export const topicRoutes = new Hono<AppEnv>()
  .get('/t/:id/:slug?', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    const id = idParam(c.req.param('id'));
    const { page } = parseQuery(pageQuery, c.req.query());
    const topic = await getTopic(deps, viewer, id);
    if (c.req.param('slug') !== topic.slug) return c.redirect(topicPath(id, topic.slug, page), 301);
    const pageCount = topicPageCount(topic);
    if (page > pageCount) {
      throw new NotFoundError(`This topic has ${pageCount} page${pageCount === 1 ? '' : 's'}.`);
    }
    const posts = await listPosts(deps, topic, page, viewer);
    const now = deps.now();
    const asker = !!viewer && viewer.id === topic.userId && topic.kind === 'question';
    // The replies are counted for the QAPage markup (first page), and for the asker's prompt
    // to mark a solution while there is none.
    const answers = await getAnswers(deps, topic, {
      count: page === 1 || (asker && topic.acceptedPostId === null),
    });
    const replyAllowed = canReply(viewer, topic, now);
    const mayChooseAnswer = canAcceptAnswer(
      viewer,
      {
        kind: topic.kind,
        userId: topic.userId,
        productVendorId: topic.forum.product?.vendorId ?? null,
      },
      now,
    );
    const facts = {
      topic,
      replyAllowed,
      mayChooseAnswer,
      acceptedPostId: answers.accepted?.postId ?? null,
      now,
    };
    // Where the new posts start for a person who read this topic before; then what this page
    // shows them is noted, written after the response.
    const seen = viewer ? (await readMarksOf(deps, viewer.id, [id])).get(id) : undefined;
    const watchLevel =
      viewer && canChooseWatch(viewer) ? await topicWatchLevel(deps, viewer.id, id) : null;
    const likes = await likesOfPosts(
      deps,
      posts.map((post) => post.id),
      viewer,
    );
    const buyerBadge =
      replyAllowed && viewer ? await buyerBadgeChoice(deps, viewer, topic.forum) : null;
    // Every read of the page is done: now what it shows is noted, written while it is sent.
    // Noted at every view, not only when it goes further: seeing a post again is what marks
    // a notification about it read (its answer accepted, say).
    // Nothing to write when the mark would not rise and nothing unread waits (the header's
    // count): a page seen again costs no write.
    const lastShown = posts.at(-1)?.number;
    const changes =
      lastShown !== undefined &&
      (seen === undefined || lastShown > seen || c.get('headerCounts')?.notifications !== 0);
    if (viewer && lastShown !== undefined && changes) {
      afterResponse(c, markRead(deps, viewer.id, id, lastShown, c.get('log')));
    }
    const actions = Object.fromEntries(
      posts.map((post) => [
        post.id,
        postActionsFor(viewer, facts, { ...post, authorId: post.author?.id ?? null }),
      ]),
    );
    return c.html(
      <TopicPage
        frame={frameOf(c)}
        topic={topic}
        posts={posts}
        page={page}
        pageCount={pageCount}
        canonical={`${deps.config.publicOrigin}${topicPath(id, topic.slug, page)}`}
        origin={deps.config.publicOrigin}
        accepted={answers.accepted}
        answerCount={answers.answerCount}
        newFrom={seen === undefined ? null : seen + 1}
        solutionPrompt={
          asker && mayChooseAnswer && !answers.accepted && (answers.answerCount ?? 0) > 0
        }
        watch={
          watchLevel
            ? {
                action: `/t/${id}/watch`,
                levels: TOPIC_WATCH_LEVELS,
                level: watchLevel,
                what: 'this topic',
              }
            : null
        }
        kindChoice={
          canChangeTopicKind(viewer, topic, now)
            ? { topicId: topic.id, kind: topic.kind, answered: topic.acceptedPostId !== null }
            : null
        }
        prevHref={page > 1 ? topicPath(id, topic.slug, page - 1) : null}
        nextHref={page < pageCount ? topicPath(id, topic.slug, page + 1) : null}
        actions={actions}
        likes={likes}
        replyForm={
          replyAllowed && viewer
            ? {
                askPublicAck: !viewer.publicAckAt,
                buyerBadge,
              }
            : null
        }
        moderate={canModerate(viewer, now)}
        suspension={
          viewer && isSuspended(viewer, now)
            ? { until: viewer.suspendedUntil as Date, reason: viewer.suspendedReason }
            : null
        }
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
    const where = await locatePost(c.get('deps'), c.get('viewer'), idParam(c.req.param('postId')));
    return c.redirect(postPath(where), 302);
  })
  // Choosing a question's answer: no fields; cross-site posts are refused by the middleware.
  .post('/posts/:id/accept', async (c) => {
    const at = await acceptAnswer(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect(answerPath(at), 303);
  })
  .post('/posts/:id/unaccept', async (c) => {
    const at = await unacceptAnswer(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect(answerPath(at), 303);
  })
  // The kind of a topic (field `kind`): its author and moderators. A value no form sends gets
  // the choice back on a page of its own (422); choosing the kind it has changes nothing.
  .post('/t/:id/kind', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    const id = idParam(c.req.param('id'));
    const input = await readForm(c);
    const parsed = parseForm(topicKindForm, input);
    if (!parsed.ok) {
      const topic = await getTopic(deps, viewer, id);
      requireChangeTopicKind(viewer, topic, deps.now());
      return c.html(<TopicKindPage frame={frameOf(c)} topic={topic} errors={parsed.errors} />, 422);
    }
    const done = await changeTopicKind(deps, viewer, id, parsed.data.kind);
    return c.redirect(topicPath(done.topicId, done.slug), 303);
  })
  // How closely the viewer follows the topic (field `level`): any signed-in person who can read
  // it. A value no form sends gets the choice back on a page of its own (422).
  .post('/t/:id/watch', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    const id = idParam(c.req.param('id'));
    const parsed = parseForm(topicWatchForm, await readForm(c));
    if (!parsed.ok) {
      requireChooseWatch(viewer);
      const topic = await getTopic(deps, viewer, id);
      const href = topicPath(topic.id, topic.slug);
      return c.html(
        <WatchPage
          frame={frameOf(c)}
          title={topic.title}
          href={href}
          crumbs={[
            { href: '/', label: 'Forums' },
            { href: `/f/${topic.forum.slug}`, label: topic.forum.name },
          ]}
          choice={{
            action: `/t/${topic.id}/watch`,
            levels: TOPIC_WATCH_LEVELS,
            level: await topicWatchLevel(deps, viewer.id, topic.id),
            what: 'this topic',
            error: parsed.errors.level,
          }}
        />,
        422,
      );
    }
    const done = await watchTopic(deps, viewer, id, parsed.data.level);
    return c.redirect(topicPath(done.topicId, done.slug), 303);
  })
  // Likes: no fields either. Liking twice, or taking back a like that is not there, changes
  // nothing.
  .post('/posts/:id/like', async (c) => {
    const at = await likePost(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect(postPath(at), 303);
  })
  .post('/posts/:id/unlike', async (c) => {
    const at = await unlikePost(c.get('deps'), c.get('viewer'), idParam(c.req.param('id')));
    return c.redirect(postPath(at), 303);
  });
