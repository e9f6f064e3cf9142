/**
 * What a notification email and a summary say, read when the delivery loop sends them (they are
 * queued by src/services/notification-mail.ts): the person's notifications that are still unread
 * and readable then, of the kinds they still get by email. Nothing left means the email is
 * dropped: what was read meanwhile is never sent.
 */
import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mailOutbox, notifications, posts, topics, users } from '../../db/schema';
import {
  DIRECT_NOTIFICATION_KINDS,
  type NotificationKind,
  SHOWN_UNREADABLE,
} from '../../domain/words';
import { notificationText } from '../content/notification-text';
import type { ClaimedMail } from './outbox';

const DAY_MS = 24 * 3600_000;
/** entries listed in one email at most (the rest are on /notifications) */
export const ITEMS_PER_EMAIL = 20;

export type NotificationMailItem = {
  kind: NotificationKind;
  /** "casey replied in Title" */
  text: string;
  /** the post's address */
  url: string;
};

export type NotificationMailFacts = {
  /** per outbox row: its topic (for a topic's email) and the entries to tell of */
  rows: Map<number, { topic: { id: number; title: string } | null; items: NotificationMailItem[] }>;
  /** notification emails sent to each person in the last 24 hours */
  sentToday: Map<number, number>;
};

const payloadNumber = (row: ClaimedMail, name: string): number | null => {
  try {
    const value = row.payload ? (JSON.parse(row.payload) as Record<string, unknown>)[name] : null;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
};

/** What the public may read, or a notice about moderation shown to its author anyway. */
const shown = or(
  and(
    sql`${posts.state} = 'visible'`,
    isNull(posts.removedAt),
    isNull(posts.deletedAt),
    sql`${topics.state} = 'visible'`,
    isNull(topics.removedAt),
  ),
  inArray(notifications.kind, [...SHOWN_UNREADABLE]),
);

const emailedKind = sql`instr(',' || coalesce(${users.notificationEmailKinds}, ${DIRECT_NOTIFICATION_KINDS.join(',')}) || ',', ',' || ${notifications.kind} || ',') > 0`;

/** The facts of the claimed notification emails and summaries, in one batch. */
export async function loadNotificationMail(
  db: Db,
  origin: string,
  rows: ClaimedMail[],
  now: number,
): Promise<NotificationMailFacts> {
  const wanted = rows.filter((r) => r.kind === 'notification' || r.kind === 'digest');
  const facts: NotificationMailFacts = { rows: new Map(), sentToday: new Map() };
  if (wanted.length === 0) return facts;
  const entries = (row: ClaimedMail) => {
    const topicId = row.kind === 'notification' ? payloadNumber(row, 'topicId') : null;
    const since = row.kind === 'digest' ? (payloadNumber(row, 'since') ?? 0) : null;
    return db
      .select({
        kind: notifications.kind,
        count: notifications.count,
        actor: sql<string | null>`actor.username`.as('actor_name'),
        reason: posts.removedReason,
        // Inside a batch, D1 returns rows as objects: no two columns may share a name.
        topicId: sql<number>`${topics.id}`.as('topic_id'),
        title: topics.title,
        postId: sql<number>`${posts.id}`.as('post_id'),
      })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .innerJoin(posts, eq(posts.id, notifications.postId))
      .innerJoin(topics, eq(topics.id, notifications.topicId))
      .leftJoin(sql`${users} as actor`, sql`actor.id = ${notifications.actorId}`)
      .where(
        and(
          eq(notifications.userId, row.userId),
          isNull(notifications.readAt),
          shown,
          topicId === null
            ? gt(notifications.createdAt, new Date(since ?? 0))
            : and(eq(notifications.topicId, topicId), emailedKind),
        ),
      )
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(ITEMS_PER_EMAIL);
  };
  const people = [...new Set(wanted.map((r) => r.userId))];
  const [sent, ...lists] = await db.batch([
    db
      .select({ userId: mailOutbox.userId, n: sql<number>`count(*)`.as('n') })
      .from(mailOutbox)
      .where(
        and(
          inArray(mailOutbox.userId, people),
          eq(mailOutbox.kind, 'notification'),
          eq(mailOutbox.status, 'sent'),
          gt(mailOutbox.finishedAt, new Date(now - DAY_MS)),
        ),
      )
      .groupBy(mailOutbox.userId),
    ...wanted.map(entries),
  ]);
  for (const s of sent) facts.sentToday.set(s.userId, Number(s.n));
  wanted.forEach((row, i) => {
    const list = lists[i] ?? [];
    const first = list[0];
    facts.rows.set(row.id, {
      topic:
        row.kind === 'notification' && first ? { id: first.topicId, title: first.title } : null,
      items: list.map((n) => ({
        kind: n.kind,
        text: `${notificationText(n)} ${n.title}`,
        url: `${origin}/p/${n.postId}`,
      })),
    });
  });
  return facts;
}
