/**
 * Deleting one's own account. Everything personal goes at once, in one `db.batch` (atomic on
 * libSQL and D1): the `users` row (username, display name, bio, email, password hash,
 * acknowledgements, preferences), sessions, the Plimus identity link and its purchases, pending
 * email confirmations, the likes they gave, and the person's name and notes on the reports they filed. Records other
 * people need keep what they did but lose who did it: moderation-log entries the person made,
 * revisions they wrote as a moderator, removals and accepted answers (their foreign keys are
 * `ON DELETE SET NULL`); the log's entries about the account stay, about "deleted user", without
 * their reason and note. An account deleted while suspended leaves keyed hashes of its email
 * address and username until the suspension ends (src/services/suspended-accounts.ts).
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
  forumWatches,
  identityLinks,
  identityPurchases,
  mailOutbox,
  moderationLog,
  passwordResets,
  pendingEdits,
  postLikes,
  postRevisions,
  posts,
  reports,
  sessions,
  topics,
  topicWatches,
  users,
} from '../../db/schema';
import { verifyPassword } from '../auth/password';
import type { AppDeps } from '../context';
import { FormError } from '../errors';
import { confirmationFor, type SessionFacts } from '../policy/account';
import { keepSuspension, retireUsername, suspensionHeldUntil } from './suspended-accounts';
import { refreshForumSummary } from './visibility';

/** The mark on topics removed because the account that started them was deleted. */
export const ACCOUNT_DELETED = 'account_deleted';
/** What a removed topic's title becomes: the title was the person's words too. */
const REMOVED_TITLE = 'Deleted topic';

export type DeletionPreview = {
  posts: number;
  topicsStarted: number;
  /** topics the person started that others replied to: they stay, with their title */
  topicsWithReplies: number;
  /** suspended: until when the email address and username cannot join again */
  heldUntil: Date | null;
};

/** What deleting would touch, for the confirmation page. */
export async function deletionPreview(deps: AppDeps, userId: number): Promise<DeletionPreview> {
  const { db } = deps;
  const [[postCount], [started], [withReplies], [account]] = await db.batch([
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
    db.select({ suspendedUntil: users.suspendedUntil }).from(users).where(eq(users.id, userId)),
  ]);
  return {
    posts: postCount?.n ?? 0,
    topicsStarted: started?.n ?? 0,
    topicsWithReplies: withReplies?.n ?? 0,
    heldUntil: suspensionHeldUntil(account?.suspendedUntil ?? null, deps.now()),
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
  // Read again: the session's copy may be older than a change in another tab.
  const account = await deps.db
    .select({ username: users.username, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, viewer.id))
    .get();
  if (!account) throw new Error('the signed-in account has no row');
  if (confirmation === 'password') {
    if (!input.password) throw new FormError({ password: 'Enter your password.' });
    if (!account.passwordHash || !(await verifyPassword(account.passwordHash, input.password))) {
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
    // While the users row still says whether and until when the account is suspended.
    ...keepSuspension(deps, { id: viewer.id, ...account }),
    retireUsername(deps, account.username),
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
  /** a topic the person started where nobody else posted, not removed yet (alias `t`) */
  const removable = sql`t.user_id = ${userId} and t.removed_at is null and not exists (select 1 from posts p where p.topic_id = t.id and (p.user_id is null or p.user_id <> ${userId}))`;
  return [
    // 1. Those topics leave the lists, and their titles go with them.
    db
      .update(topics)
      .set({ removedAt: at, removedReason: ACCOUNT_DELETED, title: REMOVED_TITLE, slug: 'deleted' })
      .where(sql`${topics.id} in (select t.id from topics t where ${removable})`),
    // 2. The forums they were in count what remains public there, and point at its latest topic.
    refreshForumSummary(
      db,
      sql`${forums.id} in (select t.forum_id from topics t where t.user_id = ${userId} and t.removed_reason = ${ACCOUNT_DELETED})`,
    ),
    // 3. The posts leave the search index (secure-delete: their words leave the index's blobs).
    db.delete(postsFts).where(inArray(postsFts.rowid, ownPosts)),
    // 4. Their earlier versions go, and the likes they had (a like belongs to its giver, but
    //    it points at text that is gone).
    db.delete(postRevisions).where(inArray(postRevisions.postId, ownPosts)),
    db.delete(postLikes).where(inArray(postLikes.postId, ownPosts)),
    // 5. A post without text is nobody's answer any more.
    db
      .update(topics)
      .set({ acceptedPostId: null, acceptedById: null, acceptedAt: null })
      .where(
        sql`${topics.id} in (select topic_id from posts where user_id = ${userId}) and ${topics.acceptedPostId} in (select id from posts where user_id = ${userId})`,
      ),
    // 6. Each post keeps its place in its thread, as deleted, without text or author.
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
    // Records of what moderators did to the account stay, about "deleted user": without their
    // reason and note, which were about the person.
    db
      .update(moderationLog)
      .set({ targetDeleted: true, reason: null, note: null })
      .where(and(eq(moderationLog.targetType, 'user'), eq(moderationLog.targetId, userId))),
    // The rest would follow the user row through ON DELETE CASCADE; it is said here, not implied.
    db.delete(identityPurchases).where(inArray(identityPurchases.linkId, ownLinks)),
    db.delete(identityLinks).where(eq(identityLinks.userId, userId)),
    db.delete(emailConfirmations).where(eq(emailConfirmations.userId, userId)),
    db.delete(postLikes).where(eq(postLikes.userId, userId)),
    db.delete(topicWatches).where(eq(topicWatches.userId, userId)),
    db.delete(forumWatches).where(eq(forumWatches.userId, userId)),
    // Pending password resets; emails not sent yet are not sent, the records of the others go.
    db.delete(passwordResets).where(eq(passwordResets.userId, userId)),
    db.delete(mailOutbox).where(eq(mailOutbox.userId, userId)),
    db.delete(sessions).where(eq(sessions.userId, userId)),
    db.delete(users).where(eq(users.id, userId)),
  ];
}
