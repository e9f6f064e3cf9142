/**
 * Accepted answers. A question (a topic of kind `question`) can have one accepted answer: a
 * visible reply of that same topic, chosen, changed or cleared by the person who asked, by staff
 * of the vendor whose product the forum is about, or by a moderator (src/policy/vendors.ts).
 * The choice is the topic's `accepted_post_id`, `accepted_by_id` and `accepted_at`, written in
 * one statement.
 */
import { and, count, eq, exists, gt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { forums, posts, products, topics, users } from '../../db/schema';
import type { AppDeps } from '../context';
import { ConflictError, NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { type QuestionFacts, requireAcceptAnswer } from '../policy/vendors';
import { answerAcceptedNotice } from './notifications';
import type { PostAuthor } from './topics';
import { isPublicPost, publicPost, publicTopic } from './visibility';

type Topic = typeof topics.$inferSelect;

/** A post everyone can read. */
const visible = publicPost();

/** A reply, with what the rules about accepting it need to know. */
type Candidate = {
  post: {
    id: number;
    number: number;
    state: 'visible' | 'held';
    deletedAt: Date | null;
    removedAt: Date | null;
  };
  topic: QuestionFacts & { id: number; slug: string; acceptedPostId: number | null };
};

/** @throws NotFoundError when there is no such post, or its topic was removed */
async function candidate(deps: AppDeps, postId: number): Promise<Candidate> {
  const row = await deps.db
    .select({
      post: {
        id: posts.id,
        number: posts.number,
        state: posts.state,
        deletedAt: posts.deletedAt,
        removedAt: posts.removedAt,
      },
      topicId: topics.id,
      slug: topics.slug,
      kind: topics.kind,
      askerId: topics.userId,
      acceptedPostId: topics.acceptedPostId,
      topicRemovedAt: topics.removedAt,
      productVendorId: products.vendorId,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(products, eq(products.id, forums.productId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || row.topicRemovedAt) throw new NotFoundError('There is no post at this address.');
  return {
    post: row.post,
    topic: {
      id: row.topicId,
      slug: row.slug,
      kind: row.kind,
      userId: row.askerId,
      productVendorId: row.productVendorId,
      acceptedPostId: row.acceptedPostId,
    },
  };
}

/** Where to go back to after choosing: the post in its thread. */
export type AnswerLocation = { topicId: number; slug: string; number: number; postId: number };

/**
 * Makes a reply the accepted answer of its question (replacing the one chosen before, if any).
 * @throws NotFoundError for an unknown post
 * @throws ForbiddenError when the actor may not choose the answer of this topic, or it is not a
 *   question (see requireAcceptAnswer)
 * @throws ConflictError when the post is the question itself, or is deleted, removed or held
 */
export async function acceptAnswer(
  deps: AppDeps,
  actor: Actor,
  postId: number,
): Promise<AnswerLocation> {
  const { post, topic } = await candidate(deps, postId);
  const now = deps.now();
  requireAcceptAnswer(actor, topic, now);
  if (post.number === 1) {
    throw new ConflictError(
      'The question itself cannot be its answer. Choose one of the replies below it.',
    );
  }
  if (!isPublicPost(post)) {
    throw new ConflictError(
      'Only a reply that everyone can read can be the accepted answer: this one was deleted, removed, or is waiting for approval.',
    );
  }
  // The conditions are checked again in the statement itself, so that a reply deleted or removed
  // meanwhile is never written as the answer.
  const [[updated]] = await deps.db.batch([
    deps.db
      .update(topics)
      .set({ acceptedPostId: post.id, acceptedById: actor.id, acceptedAt: new Date(now) })
      .where(
        and(
          eq(topics.id, topic.id),
          sql`${topics.kind} = 'question'`,
          publicTopic(),
          exists(
            deps.db
              .select({ id: posts.id })
              .from(posts)
              .where(
                and(
                  eq(posts.id, post.id),
                  eq(posts.topicId, topic.id),
                  gt(posts.number, 1),
                  publicPost(),
                ),
              ),
          ),
        ),
      )
      .returning({ id: topics.id }),
    // Its author is told (unless they chose it themselves), once the acceptance took.
    answerAcceptedNotice(deps.db, post.id, actor.id, new Date(now)),
  ]);
  if (!updated) {
    throw new ConflictError('This reply cannot be accepted any more. Reload the topic to see why.');
  }
  // The loop's next run queues the notice's email (when the author gets those).
  deps.notify.nudge();
  return { topicId: topic.id, slug: topic.slug, number: post.number, postId: post.id };
}

/**
 * Clears the accepted answer of a question; the post named must be the accepted answer.
 * @throws NotFoundError, ForbiddenError (as acceptAnswer)
 * @throws ConflictError when the post is not the accepted answer of its question
 */
export async function unacceptAnswer(
  deps: AppDeps,
  actor: Actor,
  postId: number,
): Promise<AnswerLocation> {
  const { post, topic } = await candidate(deps, postId);
  requireAcceptAnswer(actor, topic, deps.now());
  const notIt = () =>
    new ConflictError(
      'This reply is not the accepted answer of its question, so there is nothing to clear.',
    );
  if (topic.acceptedPostId !== post.id) throw notIt();
  const [updated] = await deps.db
    .update(topics)
    .set({ acceptedPostId: null, acceptedById: null, acceptedAt: null })
    .where(and(eq(topics.id, topic.id), eq(topics.acceptedPostId, post.id)))
    .returning({ id: topics.id });
  if (!updated) throw notIt();
  return { topicId: topic.id, slug: topic.slug, number: post.number, postId: post.id };
}

export type AcceptedAnswer = {
  postId: number;
  number: number;
  bodyHtml: string;
  createdAt: Date;
  author: PostAuthor | null;
  acceptedAt: Date;
  /** who chose it; null when that account was deleted */
  acceptedBy: { username: string; displayName: string | null } | null;
  /** the person who asked chose it */
  byAsker: boolean;
};

export type Answers = {
  /** the accepted answer, while it is a reply everyone can read */
  accepted: AcceptedAnswer | null;
  /** replies everyone can read (for the QAPage markup); null when not asked for */
  answerCount: number | null;
};

/**
 * The accepted answer of a question, with its author and who accepted it (three primary-key
 * look-ups), and, when asked for, the number of replies everyone can read (a walk of the
 * topic's range of `posts_topic_number_unique`).
 */
export async function getAnswers(
  deps: AppDeps,
  topic: Topic,
  opts: { count: boolean },
): Promise<Answers> {
  if (topic.kind !== 'question') return { accepted: null, answerCount: null };
  const author = alias(users, 'author');
  const accepter = alias(users, 'accepter');
  const row =
    topic.acceptedPostId !== null
      ? await deps.db
          .select({
            postId: posts.id,
            number: posts.number,
            bodyHtml: posts.bodyHtml,
            createdAt: posts.createdAt,
            authorId: author.id,
            authorUsername: author.username,
            authorDisplayName: author.displayName,
            accepterUsername: accepter.username,
            accepterDisplayName: accepter.displayName,
          })
          .from(posts)
          .leftJoin(author, eq(author.id, posts.userId))
          .leftJoin(accepter, eq(accepter.id, topic.acceptedById ?? 0))
          .where(and(eq(posts.id, topic.acceptedPostId), eq(posts.topicId, topic.id), visible))
          .get()
      : undefined;
  const answerCount = opts.count
    ? ((
        await deps.db
          .select({ n: count() })
          .from(posts)
          .where(and(eq(posts.topicId, topic.id), gt(posts.number, 1), visible))
          .get()
      )?.n ?? 0)
    : null;
  const accepted: AcceptedAnswer | null =
    row && topic.acceptedAt
      ? {
          postId: row.postId,
          number: row.number,
          bodyHtml: row.bodyHtml,
          createdAt: row.createdAt,
          author:
            row.authorId !== null && row.authorUsername !== null
              ? {
                  id: row.authorId,
                  username: row.authorUsername,
                  displayName: row.authorDisplayName,
                }
              : null,
          acceptedAt: topic.acceptedAt,
          acceptedBy:
            row.accepterUsername !== null
              ? { username: row.accepterUsername, displayName: row.accepterDisplayName }
              : null,
          byAsker: topic.acceptedById !== null && topic.acceptedById === topic.userId,
        }
      : null;
  return { accepted, answerCount };
}
