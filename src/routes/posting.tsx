/**
 * Writing: new topics, replies, edits, deletion and the history of a post. A refused draft comes
 * back in its form with the text kept: 422 for what the author can fix, 429 (with Retry-After)
 * for posting too quickly.
 */
import { type Context, Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type * as z from 'zod';
import { EditPostPage, NewTopicPage, ReplyPage } from '../../views/pages/compose';
import { DeletePostPage } from '../../views/pages/delete-post';
import { ErrorPage } from '../../views/pages/error';
import { LoginPage } from '../../views/pages/login';
import { PostHistoryPage } from '../../views/pages/post-history';
import { clearKeptDraftCookie, readKeptDraftCookie, setKeptDraftCookie } from '../auth/cookies';
import type { AppEnv, Viewer } from '../context';
import { ForbiddenError, FormError, PersonalDataFound } from '../errors';
import {
  requireEditPost,
  requireReply,
  requireStartTopic,
  requireViewHistory,
  takesReplyDrafts,
  takesTopicDrafts,
} from '../policy';
import { canEmailAnnouncement } from '../policy/admin';
import { buyerBadgeChoice } from '../services/badges';
import { getForumBySlug } from '../services/forums';
import {
  type DraftTarget,
  discardKeptDraft,
  fitsKeeping,
  KEPT_DRAFT_MS,
  keepDraft,
  keptDraft,
  worthKeeping,
} from '../services/kept-drafts';
import { announcementMailing } from '../services/mailings';
import {
  deletePost,
  editPost,
  getPost,
  listRevisions,
  previewPost,
  quoteOf,
  reply,
  startTopic,
} from '../services/posting';
import { type SimilarTopic, similarTopics } from '../services/search';
import { defaultTopicKind } from '../services/topic-kind';
import { getTopic, pageOfNumber } from '../services/topics';
import { idParam } from '../validation/fields';
import { editForm, parseForm, replyForm, topicForm } from '../validation/forms';
import { readForm, retryAfter, storageRefusal } from './forms';
import { frameOf } from './frame';

const postLocation = (topicId: number, slug: string, number: number, postId: number) => {
  const page = pageOfNumber(number);
  return `/t/${topicId}/${slug}${page > 1 ? `?page=${page}` : ''}#p${postId}`;
};

/** The signed-in viewer, or a 403 asking to sign in. */
function author(c: Context<AppEnv>, doing: string): Viewer {
  const viewer = c.get('viewer');
  if (!viewer) throw new ForbiddenError(`Please sign in to ${doing}.`);
  return viewer;
}

/**
 * Someone not signed in (their session ended while they wrote) sent a composer: the text is kept
 * for an hour under a token in a cookie, and the sign-in page (401) comes back to `composer`,
 * which shows it again. Text larger than a post may be is refused before anything is kept.
 */
async function keepForSignIn(
  c: Context<AppEnv>,
  target: DraftTarget,
  composer: string,
  what: 'reply' | 'topic',
) {
  const deps = c.get('deps');
  const frame = { ...frameOf(c), path: composer };
  const input = await readForm(c);
  const text = {
    title: what === 'topic' ? (input.title ?? '') : '',
    kind: what === 'topic' ? (input.kind === 'question' ? 'question' : 'discussion') : null,
    body: input.body ?? '',
  } as const;
  if (!fitsKeeping(text)) {
    const message =
      'The text is longer than a post may be, so it was not kept. Posts can have at most 50,000 characters.';
    return c.html(ErrorPage({ frame, status: 413, title: 'That was too much', message }), 413);
  }
  let notice = `Please sign in to ${what === 'reply' ? 'reply' : 'start a topic'}.`;
  if (worthKeeping(text)) {
    const kept = await keepDraft(deps, c.get('client'), target, text, readKeptDraftCookie(c));
    setKeptDraftCookie(c, deps.config.publicOrigin, kept.token, KEPT_DRAFT_MS / 1000);
    notice = `Your ${what} is kept for an hour: sign in to post it.`;
  }
  c.header('Cache-Control', 'no-store');
  return c.html(
    <LoginPage
      frame={frame}
      plimus={!!deps.plimus}
      values={{}}
      next={composer}
      errors={{}}
      demo={deps.demo}
      notice={notice}
    />,
    401,
  );
}

/** The draft kept for this composer, if any; a cookie that keeps nothing any more is cleared. */
async function restoreDraft(c: Context<AppEnv>, target: DraftTarget) {
  const deps = c.get('deps');
  const { draft, gone } = await keptDraft(deps, readKeptDraftCookie(c), target);
  if (gone) clearKeptDraftCookie(c, deps.config.publicOrigin);
  return draft;
}

/** Posted: the draft kept for this composer is deleted, and its cookie cleared. */
async function draftPosted(c: Context<AppEnv>, target: DraftTarget) {
  const deps = c.get('deps');
  const token = readKeptDraftCookie(c);
  if (token && (await discardKeptDraft(deps, token, target))) {
    clearKeptDraftCookie(c, deps.config.publicOrigin);
  }
}

/** A signed-out visitor following a link to a composer signs in, then comes back to it. */
const signInFirst = (c: Context<AppEnv>) => {
  const url = new URL(c.req.url);
  return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
};

/** What a composer page shows besides the person's text. */
type DraftState = {
  errors?: Record<string, string>;
  previewHtml?: string;
  findings?: PersonalDataFound['findings'];
  similar?: SimilarTopic[];
};

/**
 * Submits a composer: the form back with the messages (422) when it is not valid, the cooked
 * preview when Preview was pressed, otherwise `write` and a redirect to where it says; a refusal
 * of the posting rules (or of a preview) brings the form back with the text kept (422, or 429
 * with Retry-After).
 */
async function submitDraft<T extends { body: string; preview: boolean }>(
  c: Context<AppEnv>,
  input: Record<string, string>,
  schema: z.ZodType<T>,
  page: (state: DraftState) => JSX.Element,
  write: (draft: T) => Promise<string>,
  /** what else a preview shows (a new topic: similar topics) */
  previewing?: (draft: T) => Promise<DraftState>,
) {
  const parsed = parseForm(schema, input);
  if (!parsed.ok) return c.html(page({ errors: parsed.errors }), 422);
  try {
    if (parsed.data.preview) {
      const viewer = author(c, 'preview posts');
      const extra = (await previewing?.(parsed.data)) ?? {};
      return c.html(
        page({ previewHtml: await previewPost(c.get('deps'), viewer, parsed.data.body), ...extra }),
      );
    }
    return c.redirect(await write(parsed.data), 303);
  } catch (err) {
    if (err instanceof PersonalDataFound) return c.html(page({ findings: err.findings }), 422);
    const refused = storageRefusal(c, err);
    if (refused) {
      const form = `${refused.message} Your text is kept below: send it again in a few minutes.`;
      return c.html(page({ errors: { form } }), 503);
    }
    if (!(err instanceof FormError)) throw err;
    retryAfter(c, err);
    return c.html(page({ errors: err.fields }), err.status);
  }
}

export const postingRoutes = new Hono<AppEnv>()
  .get('/f/:forum/new', async (c) => {
    const deps = c.get('deps');
    if (!c.get('viewer')) return signInFirst(c);
    const viewer = author(c, 'start a topic');
    const forum = await getForumBySlug(deps, c.req.param('forum'));
    requireStartTopic(viewer, forum, deps.now());
    const kept = await restoreDraft(c, { forumId: forum.id });
    return c.html(
      <NewTopicPage
        frame={frameOf(c)}
        forum={forum}
        title={kept?.title ?? ''}
        kind={kept?.kind ?? defaultTopicKind(forum)}
        body={kept?.body ?? ''}
        restored={!!kept}
        errors={{}}
        askPublicAck={!viewer.publicAckAt}
        buyerBadge={await buyerBadgeChoice(deps, viewer, forum)}
        emailSubscribers={
          canEmailAnnouncement(viewer, forum, deps.now()) ? { checked: false } : undefined
        }
      />,
    );
  })
  .post('/f/:forum', async (c) => {
    const deps = c.get('deps');
    const forum = await getForumBySlug(deps, c.req.param('forum'));
    if (!c.get('viewer') && takesTopicDrafts(forum)) {
      return keepForSignIn(c, { forumId: forum.id }, `/f/${forum.slug}/new`, 'topic');
    }
    const viewer = author(c, 'start a topic');
    requireStartTopic(viewer, forum, deps.now());
    const input = await readForm(c);
    const badge = await buyerBadgeChoice(deps, viewer, forum);
    // Offered to administrators in announcement forums; a box sent by anyone else is ignored.
    const announces = canEmailAnnouncement(viewer, forum, deps.now());
    const page = (extra: DraftState) => (
      <NewTopicPage
        frame={frameOf(c)}
        forum={forum}
        title={input.title ?? ''}
        kind={
          input.kind === 'question' || input.kind === 'discussion'
            ? input.kind
            : defaultTopicKind(forum)
        }
        body={input.body ?? ''}
        errors={extra.errors ?? {}}
        askPublicAck={!viewer.publicAckAt}
        publicAck={!!input.public_ack}
        previewHtml={extra.previewHtml}
        findings={extra.findings}
        buyerBadge={badge && { ...badge, checked: !!input.show_buyer_badge }}
        emailSubscribers={announces ? { checked: !!input.email_subscribers } : undefined}
        similar={extra.similar}
      />
    );
    return submitDraft(
      c,
      input,
      topicForm,
      page,
      async (d) => {
        const created = await startTopic(deps, viewer, forum, {
          title: d.title,
          kind: d.kind ?? defaultTopicKind(forum),
          body: d.body,
          publicAck: d.public_ack,
          postAnyway: d.post_anyway,
          showBuyerBadge: d.show_buyer_badge,
          also:
            announces && d.email_subscribers ? announcementMailing(deps, viewer, forum) : undefined,
        });
        await draftPosted(c, { forumId: forum.id });
        return `/t/${created.topicId}/${created.slug}`;
      },
      // The cheapest answer is one that already exists.
      async (d) => ({ similar: await similarTopics(deps, d.title) }),
    );
  })
  .get('/t/:id/replies/new', async (c) => {
    const deps = c.get('deps');
    if (!c.get('viewer')) return signInFirst(c);
    const viewer = author(c, 'reply');
    const topic = await getTopic(deps, viewer, idParam(c.req.param('id')));
    requireReply(viewer, topic, deps.now());
    const kept = await restoreDraft(c, { topicId: topic.id });
    const quote = c.req.query('quote');
    const body = kept ? kept.body : quote ? await quoteOf(deps, topic.id, idParam(quote)) : '';
    return c.html(
      <ReplyPage
        frame={frameOf(c)}
        topic={topic}
        body={body}
        restored={!!kept}
        errors={{}}
        askPublicAck={!viewer.publicAckAt}
        buyerBadge={await buyerBadgeChoice(deps, viewer, topic.forum)}
      />,
    );
  })
  .post('/t/:id/replies', async (c) => {
    const deps = c.get('deps');
    if (!c.get('viewer')) {
      const topic = await getTopic(deps, null, idParam(c.req.param('id')));
      if (takesReplyDrafts(topic)) {
        return keepForSignIn(c, { topicId: topic.id }, `/t/${topic.id}/replies/new`, 'reply');
      }
    }
    const viewer = author(c, 'reply');
    const topic = await getTopic(deps, viewer, idParam(c.req.param('id')));
    requireReply(viewer, topic, deps.now());
    const input = await readForm(c);
    const badge = await buyerBadgeChoice(deps, viewer, topic.forum);
    const page = (extra: DraftState) => (
      <ReplyPage
        frame={frameOf(c)}
        topic={topic}
        body={input.body ?? ''}
        errors={extra.errors ?? {}}
        askPublicAck={!viewer.publicAckAt}
        publicAck={!!input.public_ack}
        previewHtml={extra.previewHtml}
        findings={extra.findings}
        buyerBadge={badge && { ...badge, checked: !!input.show_buyer_badge }}
      />
    );
    return submitDraft(c, input, replyForm, page, async (d) => {
      const created = await reply(deps, viewer, topic, {
        body: d.body,
        publicAck: d.public_ack,
        postAnyway: d.post_anyway,
        showBuyerBadge: d.show_buyer_badge,
      });
      await draftPosted(c, { topicId: topic.id });
      return postLocation(topic.id, topic.slug, created.number, created.postId);
    });
  })
  .get('/posts/:id/edit', async (c) => {
    const deps = c.get('deps');
    const viewer = author(c, 'edit posts');
    const post = await getPost(deps, idParam(c.req.param('id')));
    requireEditPost(viewer, post, post.topic, deps.now());
    return c.html(
      <EditPostPage
        frame={frameOf(c)}
        post={post}
        topic={post.topic}
        body={post.pendingEdit?.bodyMarkdown ?? post.bodyMarkdown}
        waiting={!!post.pendingEdit}
        errors={{}}
      />,
    );
  })
  .post('/posts/:id', async (c) => {
    const deps = c.get('deps');
    const viewer = author(c, 'edit posts');
    const post = await getPost(deps, idParam(c.req.param('id')));
    requireEditPost(viewer, post, post.topic, deps.now());
    const input = await readForm(c);
    const page = (extra: DraftState) => (
      <EditPostPage
        frame={frameOf(c)}
        post={post}
        topic={post.topic}
        body={input.body ?? ''}
        waiting={!!post.pendingEdit}
        errors={extra.errors ?? {}}
        previewHtml={extra.previewHtml}
        findings={extra.findings}
      />
    );
    return submitDraft(c, input, editForm, page, async (d) => {
      await editPost(deps, viewer, post, { body: d.body, postAnyway: d.post_anyway });
      return postLocation(post.topic.id, post.topic.slug, post.number, post.id);
    });
  })
  .get('/posts/:id/history', async (c) => {
    const deps = c.get('deps');
    const post = await getPost(deps, idParam(c.req.param('id')));
    requireViewHistory(c.get('viewer'), post);
    const revisions = await listRevisions(deps, post);
    return c.html(
      <PostHistoryPage frame={frameOf(c)} post={post} topic={post.topic} revisions={revisions} />,
    );
  })
  .get('/posts/:id/delete', async (c) => {
    const deps = c.get('deps');
    const viewer = author(c, 'delete posts');
    const post = await getPost(deps, idParam(c.req.param('id')));
    requireEditPost(viewer, post, post.topic, deps.now());
    return c.html(<DeletePostPage frame={frameOf(c)} post={post} topic={post.topic} />);
  })
  .post('/posts/:id/delete', async (c) => {
    const deps = c.get('deps');
    const viewer = author(c, 'delete posts');
    const post = await getPost(deps, idParam(c.req.param('id')));
    await deletePost(deps, viewer, post);
    return c.redirect(postLocation(post.topic.id, post.topic.slug, post.number, post.id), 303);
  });
