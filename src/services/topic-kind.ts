/**
 * A topic's kind: a discussion, or a question (which can have one accepted answer). In a product
 * forum (a forum tied to a vendor's product) people mostly come to ask, so a new topic there is
 * a question unless its author says otherwise; elsewhere it is a discussion. The author and
 * moderators can change the kind later (src/policy: canChangeTopicKind).
 *
 * Turning a question into a discussion clears its accepted answer, in the same statement: a
 * discussion has none, and refusing until someone clears it first would only add a step. Turning
 * it back into a question does not bring the old answer back; it can be chosen again.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { moderationLog, topics } from '../../db/schema';
import type { TopicKind } from '../../domain/words';
import type { AppDeps } from '../context';
import { ConflictError } from '../errors';
import { type Actor, isStaff, requireChangeTopicKind } from '../policy';
import { getTopic } from './topics';

/** The kind a new topic starts as in this forum. */
export const defaultTopicKind = (forum: { productId: number | null }): TopicKind =>
  forum.productId !== null ? 'question' : 'discussion';

export type KindChange = {
  topicId: number;
  slug: string;
  /** the kind changed (false: it already was that kind, nothing was written) */
  changed: boolean;
  /** an accepted answer was cleared with it */
  answerCleared: boolean;
};

/**
 * Makes a topic a discussion or a question. Choosing the kind it already has changes nothing.
 * A moderator changing someone else's topic is a moderator's action: it is logged in the same
 * batch. The author changing their own topic is not moderation and is not logged.
 * @throws NotFoundError for an unknown or removed topic (or a held one the actor cannot see)
 * @throws ForbiddenError when the actor may not change it (see requireChangeTopicKind)
 */
export async function changeTopicKind(
  deps: AppDeps,
  actor: Actor,
  topicId: number,
  kind: TopicKind,
): Promise<KindChange> {
  const topic = await getTopic(deps, actor, topicId);
  const now = deps.now();
  requireChangeTopicKind(actor, topic, now);
  const unchanged = { topicId, slug: topic.slug, changed: false, answerCleared: false };
  if (topic.kind === kind) return unchanged;
  const answerCleared = kind === 'discussion' && topic.acceptedPostId !== null;
  const { db } = deps;
  // Written only while the topic is as it was read: not removed, and still of the other kind.
  const asRead = and(eq(topics.id, topicId), eq(topics.kind, topic.kind), isNull(topics.removedAt));
  const update = db
    .update(topics)
    .set({
      kind,
      ...(kind === 'discussion'
        ? { acceptedPostId: null, acceptedById: null, acceptedAt: null }
        : {}),
    })
    .where(asRead)
    .returning({ id: topics.id });
  const moderating = isStaff(actor) && topic.userId !== actor.id;
  const note = `${topic.kind} -> ${kind}${answerCleared ? ' (accepted answer cleared)' : ''}`;
  const [updated] = moderating
    ? (
        await db.batch([
          // The log row first, an INSERT … SELECT of the topic as read: no row when it changed.
          db.insert(moderationLog).select(
            db
              .select({
                id: sql<number>`null`.as('id'),
                moderatorId: sql<number>`${actor.id}`.as('moderator_id'),
                action: sql<string>`'topic_kind'`.as('action'),
                targetType: sql<'topic'>`'topic'`.as('target_type'),
                targetId: topics.id,
                targetDeleted: sql<boolean>`0`.as('target_deleted'),
                reason: sql<null>`null`.as('reason'),
                note: sql<string>`${note}`.as('note'),
                createdAt: sql<Date>`${now}`.as('created_at'),
              })
              .from(topics)
              .where(asRead),
          ),
          update,
        ])
      )[1]
    : await update;
  if (!updated) {
    throw new ConflictError('This topic changed meanwhile. Reload it to see how it is now.');
  }
  return { topicId, slug: topic.slug, changed: true, answerCleared };
}
