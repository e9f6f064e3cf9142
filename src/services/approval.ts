/**
 * Posts held for approval: a moderator holds a new account's posts, or a post has a watched word
 * of the "hold" kind. Held posts are seen by their author and moderators only, and join the
 * counters, the forum's latest activity and the search index when a moderator approves them.
 * Edits of published posts wait the same way (pending edits, written by services/posting.ts):
 * approved, they replace the post's text; refused, the published text stays.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { pendingEdits, posts, topics, users } from '../../db/schema';
import { plainText } from '../content/plain-text';
import type { AppDeps } from '../context';
import { ConflictError, NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { requireModerator, requireSuspend } from '../policy/moderation';
import { logAction, postWithTopic, type RemovalReason, removePostStatements } from './moderation';
import { moderationNotice, notificationJobOf } from './notifications';
import { replaceTextStatements } from './posting';
import { reindexPosts } from './search-index';
import { refreshForum } from './visibility';

export type HeldPost = {
  id: number;
  number: number;
  excerpt: string;
  author: string | null;
  authorId: number | null;
  createdAt: Date;
  topicId: number;
  topicTitle: string;
  topicSlug: string;
};

/** Held posts, the oldest first (by id, which follows `posts_state_idx`). */
export async function heldPosts(deps: AppDeps, actor: Actor): Promise<HeldPost[]> {
  requireModerator(actor, deps.now());
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      id: posts.id,
      number: posts.number,
      bodyHtml: posts.bodyHtml,
      createdAt: posts.createdAt,
      author: author.username,
      authorId: posts.userId,
      topicId: topics.id,
      topicTitle: topics.title,
      topicSlug: topics.slug,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(and(eq(posts.state, 'held'), isNull(posts.removedAt)))
    .orderBy(asc(posts.id))
    .limit(100);
  return rows.map(({ bodyHtml, ...r }) => ({ ...r, excerpt: plainText(bodyHtml, 300) }));
}

async function heldPost(deps: AppDeps, postId: number) {
  const row = await postWithTopic(deps, postId);
  if (row.post.state !== 'held' || row.post.removedAt)
    throw new ConflictError('This post is not waiting for approval.');
  return row;
}

/** Publishes a held post (and its topic, when it is the first post). */
export async function approvePost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
): Promise<{ topicId: number }> {
  requireModerator(actor, deps.now());
  const { post, forumId } = await heldPost(deps, postId);
  const { db } = deps;
  const topicId = post.topicId;
  const firstPost = post.number === 1;
  // The topic's last post is its newest visible one, this post included.
  const newest = sql`(select id from posts where topic_id = ${topicId} and state = 'visible' and removed_at is null order by number desc limit 1)`;
  await db.batch([
    db
      .update(posts)
      .set({ state: 'visible' })
      .where(and(eq(posts.id, postId), eq(posts.state, 'held'))),
    firstPost
      ? db.update(topics).set({ state: 'visible' }).where(eq(topics.id, topicId))
      : db
          .update(topics)
          .set({
            postCount: sql`${topics.postCount} + 1`,
            lastPostId: newest,
            lastPostAt: sql`(select created_at from posts where id = ${newest})`,
            lastPosterId: sql`(select user_id from posts where id = ${newest})`,
          })
          .where(eq(topics.id, topicId)),
    refreshForum(db, forumId),
    notificationJobOf(db, postId, new Date(deps.now())),
    ...(post.userId === null
      ? []
      : [
          db
            .update(users)
            .set({ postCount: sql`${users.postCount} + 1` })
            .where(eq(users.id, post.userId)),
        ]),
    ...(await reindexPosts(db, eq(posts.id, postId))),
    logAction(deps, actor, 'post_approve', { type: 'post', id: postId }),
    moderationNotice(db, postId, 'post_approved', actor.id, new Date(deps.now())),
  ]);
  deps.notify.nudge();
  return { topicId };
}

/** Refuses a held post: it is removed (a held topic with it) and never counted. */
export async function rejectPost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
  input: { reason: RemovalReason; note: string },
): Promise<void> {
  requireModerator(actor, deps.now());
  const { post } = await heldPost(deps, postId);
  const { db } = deps;
  await db.batch([
    ...removePostStatements(deps, actor, postId, input),
    ...(post.number === 1
      ? [
          db
            .update(topics)
            .set({
              removedAt: new Date(deps.now()),
              removedById: actor.id,
              removedReason: input.reason,
            })
            .where(eq(topics.id, post.topicId)),
        ]
      : []),
    // After the removal's notice: what the author is told is that it was not approved.
    moderationNotice(db, postId, 'post_refused', actor.id, new Date(deps.now())),
  ]);
}

/** Holds (or stops holding) a member's new posts for approval. */
export async function setHoldPosts(
  deps: AppDeps,
  actor: Actor,
  username: string,
  hold: boolean,
  note: string,
) {
  const target = await deps.db
    .select({ id: users.id, role: users.role, postsNeedApproval: users.postsNeedApproval })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  if (!target) throw new NotFoundError('There is no member with this username.');
  requireSuspend(actor, target, deps.now());
  if (target.postsNeedApproval === hold) {
    throw new ConflictError(
      hold
        ? 'This member\u2019s posts are already held.'
        : 'This member\u2019s posts are not held.',
    );
  }
  await deps.db.batch([
    deps.db.update(users).set({ postsNeedApproval: hold }).where(eq(users.id, target.id)),
    logAction(
      deps,
      actor,
      hold ? 'user_hold_posts' : 'user_release_posts',
      { type: 'user', id: target.id },
      { note },
    ),
  ]);
}

export type WaitingEdit = {
  id: number;
  postId: number;
  number: number;
  author: string | null;
  authorId: number | null;
  createdAt: Date;
  topicId: number;
  topicTitle: string;
  topicSlug: string;
  /** the published text, and the edit's */
  before: string;
  after: string;
};

/** Edits waiting for approval, the oldest first, of posts still shown. */
export async function waitingEdits(deps: AppDeps, actor: Actor): Promise<WaitingEdit[]> {
  requireModerator(actor, deps.now());
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      id: pendingEdits.id,
      postId: posts.id,
      number: posts.number,
      createdAt: pendingEdits.createdAt,
      author: author.username,
      authorId: posts.userId,
      topicId: topics.id,
      topicTitle: topics.title,
      topicSlug: topics.slug,
      beforeHtml: posts.bodyHtml,
      afterHtml: pendingEdits.bodyHtml,
    })
    .from(pendingEdits)
    .innerJoin(posts, eq(posts.id, pendingEdits.postId))
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(and(isNull(posts.removedAt), isNull(posts.deletedAt), isNull(topics.removedAt)))
    .orderBy(asc(pendingEdits.id))
    .limit(100);
  return rows.map(({ beforeHtml, afterHtml, ...r }) => ({
    ...r,
    before: plainText(beforeHtml, 300),
    after: plainText(afterHtml, 300),
  }));
}

async function waitingEdit(deps: AppDeps, editId: number) {
  const row = await deps.db
    .select({
      edit: pendingEdits,
      post: posts,
      topicTitle: topics.title,
      topicRemoved: topics.removedAt,
    })
    .from(pendingEdits)
    .innerJoin(posts, eq(posts.id, pendingEdits.postId))
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(eq(pendingEdits.id, editId))
    .get();
  if (!row) {
    throw new ConflictError(
      'This edit is no longer waiting: it was approved, refused, withdrawn or replaced by a newer one.',
    );
  }
  if (row.post.removedAt || row.post.deletedAt || row.topicRemoved)
    throw new ConflictError('This post was removed or deleted: its edit cannot be approved.');
  return row;
}

/**
 * Publishes an edit that waited: the post's text is replaced (the published one kept as a
 * revision, as for any edit) and the search index follows.
 * @throws ConflictError when the edit no longer waits, or its post was removed
 */
export async function approveEdit(
  deps: AppDeps,
  actor: Actor,
  editId: number,
): Promise<{ postId: number }> {
  requireModerator(actor, deps.now());
  const { edit, post, topicTitle } = await waitingEdit(deps, editId);
  const { db } = deps;
  await db.batch([
    ...replaceTextStatements(
      db,
      { ...post, topic: { title: topicTitle } },
      {
        body: edit.bodyMarkdown,
        bodyHtml: edit.bodyHtml,
        cookVersion: edit.cookVersion,
        editorId: post.userId,
        now: edit.createdAt.getTime(),
      },
    ),
    db.delete(pendingEdits).where(eq(pendingEdits.id, edit.id)),
    logAction(deps, actor, 'post_edit_approve', { type: 'post', id: post.id }),
  ]);
  return { postId: post.id };
}

/**
 * Refuses an edit that waited: the published text stays, the edit goes.
 * @throws ConflictError when the edit no longer waits
 */
export async function rejectEdit(
  deps: AppDeps,
  actor: Actor,
  editId: number,
  input: { reason: RemovalReason; note: string },
): Promise<void> {
  requireModerator(actor, deps.now());
  const { edit, post } = await waitingEdit(deps, editId);
  await deps.db.batch([
    deps.db.delete(pendingEdits).where(eq(pendingEdits.id, edit.id)),
    logAction(
      deps,
      actor,
      'post_edit_reject',
      { type: 'post', id: post.id },
      { reason: input.reason, note: input.note },
    ),
  ]);
}
