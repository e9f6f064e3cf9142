/**
 * Deleting one's own account. Everything personal goes at once, in one `db.batch` (atomic on
 * libSQL and D1): the `users` row (username, display name, bio, email, password hash,
 * acknowledgements, preferences), sessions, the Plimus identity link and its purchases, pending
 * email confirmations, moderation records about the account, and the person's name and notes on
 * the reports they filed. Records other people need keep what they did but lose who did it:
 * moderation-log entries the person made, revisions they wrote as a moderator, removals and
 * accepted answers (their foreign keys are `ON DELETE SET NULL`).
 *
 * Posts either stay, by "deleted user", or lose their text too; see `deleteAccount`. Because D1
 * has no interactive transactions, every value the batch depends on (which topics go, how the
 * forum counters change) is computed by SQL inside it, never by JavaScript between statements.
 * See docs/decisions/006-own-data.md.
 */
import { and, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { postsFts } from '../../db/fts';
import {
  emailConfirmations,
  forums,
  identityLinks,
  identityPurchases,
  moderationLog,
  pendingEdits,
  postRevisions,
  posts,
  reports,
  sessions,
  topics,
  users,
} from '../../db/schema';
import { verifyPassword } from '../auth/password';
import type { AppDeps } from '../context';
import { FormError } from '../errors';
import { confirmationFor, type SessionFacts } from '../policy/account';

/** The mark on topics removed because the account that started them was deleted. */
export const ACCOUNT_DELETED = 'account_deleted';
/** What a removed topic's title becomes: the title was the person's words too. */
const REMOVED_TITLE = 'Deleted topic';

export type DeletionPreview = {
  posts: number;
  topicsStarted: number;
  /** topics the person started that others replied to: they stay, with their title */
  topicsWithReplies: number;
};

/** What deleting would touch, for the confirmation page. */
export async function deletionPreview(deps: AppDeps, userId: number): Promise<DeletionPreview> {
  const { db } = deps;
  const [[postCount], [started], [withReplies]] = await db.batch([
    db.select({ n: count() }).from(posts).where(eq(posts.userId, userId)),
    db.select({ n: count() }).from(topics).where(eq(topics.userId, userId)),
    db
      .select({ n: count() })
      .from(topics)
      .where(
        and(
          eq(topics.userId, userId),
          isNull(topics.removedAt),
          sql`exists (select 1 from posts p where p.topic_id = ${topics.id} and (p.user_id is null or p.user_id <> ${userId}))`,
        ),
      ),
  ]);
  return {
    posts: postCount?.n ?? 0,
    topicsStarted: started?.n ?? 0,
    topicsWithReplies: withReplies?.n ?? 0,
  };
}

export type Deletion = {
  /** true: posts stay, by "deleted user"; false: their text is erased too */
  keepPosts: boolean;
  /** required when the account has a password */
  password: string | undefined;
};

/**
 * Deletes the signed-in person's account and everything personal, in one batch.
 *
 * - `keepPosts`: posts, their revisions and the topics the person started keep their text and
 *   lose their author; pages show them by "deleted user", with no link.
 * - otherwise every post of theirs loses its text (markdown and HTML emptied, marked deleted, out
 *   of the search index) and its earlier versions; topics they started that nobody else posted in
 *   are removed from the lists (with their title), and the forums' topic and post counters and
 *   latest-topic links follow; topics others replied to stay, with their title, so that the
 *   replies keep their context.
 *
 * @throws FormError when the password is missing or wrong, or an account without a password has
 *   not signed in with Plimus again in the last minutes; nothing is deleted then
 */
export async function deleteAccount(
  deps: AppDeps,
  viewer: { id: number; passwordHash: string | null; session: SessionFacts },
  input: Deletion,
): Promise<void> {
  const confirmation = confirmationFor(viewer, viewer.session, deps.now());
  if (confirmation === 'sign-in-needed') {
    throw new FormError({
      form: 'This account has no password: to delete it, first confirm that it is you by signing in with Plimus again.',
    });
  }
  if (confirmation === 'password') {
    // The hash is read again: the session's copy may be older than a change in another tab.
    const user = await deps.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, viewer.id))
      .get();
    if (!input.password) throw new FormError({ password: 'Enter your password.' });
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.password))) {
      throw new FormError({ password: 'That is not your password. Nothing was deleted.' });
    }
  }
  const statements = input.keepPosts
    ? keepPostsStatements(deps, viewer.id)
    : removePostsStatements(deps, viewer.id);
  const [first, ...rest] = [
    // Edits waiting for approval go either way: nobody approved them, and the author is gone.
    // (First: both ways, the posts lose their author.)
    deps.db
      .delete(pendingEdits)
      .where(
        inArray(
          pendingEdits.postId,
          deps.db.select({ id: posts.id }).from(posts).where(eq(posts.userId, viewer.id)),
        ),
      ),
    ...statements,
    ...personalDataStatements(deps, viewer.id),
  ];
  if (!first) throw new Error('no statements');
  await deps.db.batch([first, ...rest]);
}

function keepPostsStatements(deps: AppDeps, userId: number) {
  const { db } = deps;
  return [
    // The badge came from the purchases, which go.
    db.update(posts).set({ userId: null, showBuyerBadge: false }).where(eq(posts.userId, userId)),
    db.update(topics).set({ userId: null }).where(eq(topics.userId, userId)),
  ];
}

function removePostsStatements(deps: AppDeps, userId: number) {
  const { db } = deps;
  const at = new Date(deps.now());
  const ownPosts = db.select({ id: posts.id }).from(posts).where(eq(posts.userId, userId));
  /** a topic the person started where nobody else posted, still listed (alias `t`) */
  const removable = sql`t.user_id = ${userId} and t.removed_at is null and not exists (select 1 from posts p where p.topic_id = t.id and (p.user_id is null or p.user_id <> ${userId}))`;
  const latestTopic = (column: string) =>
    sql.raw(
      `(select t.${column} from topics t where t.forum_id = forums.id and t.removed_at is null order by t.last_post_at desc, t.id desc limit 1)`,
    );
  return [
    // 1. The forums lose the topics about to be removed, and the posts in them. Removed topics
    //    count in neither counter; deleted posts in listed topics still count (as in deletePost).
    db
      .update(forums)
      .set({
        topicCount: sql`${forums.topicCount} - (select count(*) from topics t where t.forum_id = forums.id and ${removable})`,
        postCount: sql`${forums.postCount} - (select coalesce(sum(t.post_count), 0) from topics t where t.forum_id = forums.id and ${removable})`,
      })
      .where(sql`${forums.id} in (select t.forum_id from topics t where ${removable})`),
    // 2. Those topics leave the lists, and their titles go with them.
    db
      .update(topics)
      .set({ removedAt: at, removedReason: ACCOUNT_DELETED, title: REMOVED_TITLE, slug: 'deleted' })
      .where(sql`${topics.id} in (select t.id from topics t where ${removable})`),
    // 3. A forum whose latest topic was one of them points at its latest remaining topic.
    db
      .update(forums)
      .set({
        lastTopicId: latestTopic('id'),
        lastPostId: latestTopic('last_post_id'),
        lastPostAt: latestTopic('last_post_at'),
      })
      .where(
        sql`${forums.lastTopicId} in (select t.id from topics t where t.user_id = ${userId} and t.removed_reason = ${ACCOUNT_DELETED})`,
      ),
    // 4. The posts leave the search index (secure-delete: their words leave the index's blobs).
    db.delete(postsFts).where(inArray(postsFts.rowid, ownPosts)),
    // 5. Their earlier versions go.
    db.delete(postRevisions).where(inArray(postRevisions.postId, ownPosts)),
    // 6. A post without text is nobody's answer any more.
    db
      .update(topics)
      .set({ acceptedPostId: null, acceptedById: null, acceptedAt: null })
      .where(
        sql`${topics.id} in (select topic_id from posts where user_id = ${userId}) and ${topics.acceptedPostId} in (select id from posts where user_id = ${userId})`,
      ),
    // 7. Each post keeps its place in its thread, as deleted, without text or author.
    db
      .update(posts)
      .set({
        bodyMarkdown: '',
        bodyHtml: '',
        deletedAt: sql`coalesce(${posts.deletedAt}, ${at.getTime()})`,
        revisionCount: 0,
        showBuyerBadge: false,
        userId: null,
      })
      .where(eq(posts.userId, userId)),
    db.update(topics).set({ userId: null }).where(eq(topics.userId, userId)),
  ];
}

/** Everything personal that is not a post, whichever way the posts go. */
function personalDataStatements(deps: AppDeps, userId: number) {
  const { db } = deps;
  const ownLinks = db
    .select({ id: identityLinks.id })
    .from(identityLinks)
    .where(eq(identityLinks.userId, userId));
  return [
    // Reports stay with the moderators (they are about someone else's post), without the
    // reporter's name or their own words.
    db.update(reports).set({ reporterId: null, note: '' }).where(eq(reports.reporterId, userId)),
    // Records about the account itself have nothing left to be about.
    db
      .delete(moderationLog)
      .where(and(eq(moderationLog.targetType, 'user'), eq(moderationLog.targetId, userId))),
    // The rest would follow the user row through ON DELETE CASCADE; it is said here, not implied.
    db.delete(identityPurchases).where(inArray(identityPurchases.linkId, ownLinks)),
    db.delete(identityLinks).where(eq(identityLinks.userId, userId)),
    db.delete(emailConfirmations).where(eq(emailConfirmations.userId, userId)),
    db.delete(sessions).where(eq(sessions.userId, userId)),
    db.delete(users).where(eq(users.id, userId)),
  ];
}
