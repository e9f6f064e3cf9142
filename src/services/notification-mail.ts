/**
 * Notifications by email, queued in the outbox (src/mail/outbox.ts) by the notification loop
 * after it has written the notifications:
 *
 * - "When away": an entry of a kind the person gets by email (by default the direct kinds:
 *   replies, mentions, quotes, accepted answers, a vendor answering their question) queues one
 *   email for its topic, due `config.mail.notificationWaitMs` (10 minutes) after it; while that
 *   email waits, more entries of the topic join it. When its turn comes the delivery loop writes
 *   it from what is still unread and readable then, and drops it when nothing is: what was read
 *   meanwhile is never sent. An entry is looked at once (`mail_checked_at`); it is looked at
 *   again only when it becomes news again after being read. At most NOTIFICATION_MAILS_PER_DAY
 *   (src/mail/delivery.ts) such emails a day per person, counted when sending.
 * - Summaries: people who chose a daily or weekly summary get one email listing what is unread
 *   since the last one, when there is something.
 *
 * Only for a confirmed address that has not failed and whose owner has not turned optional email
 * off; the delivery loop checks that again when it sends (src/policy/mail.ts).
 */
import { and, eq, isNotNull, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { mailOutbox, notifications, users } from '../../db/schema';
import {
  DIRECT_NOTIFICATION_KINDS,
  type DigestChoice,
  NOTIFICATION_KINDS,
  type NotificationKind,
} from '../../domain/words';
import type { AppDeps } from '../context';

const DAY_MS = 24 * 3600_000;

/** How often a summary comes. */
export const DIGEST_EVERY_MS: Record<Exclude<DigestChoice, 'off'>, number> = {
  daily: DAY_MS,
  weekly: 7 * DAY_MS,
};

const DEFAULT_EMAIL_KINDS = DIRECT_NOTIFICATION_KINDS.join(',');

/** The kinds a person gets by email, from the stored column (null: the default). */
export function emailKindsOf(stored: string | null): NotificationKind[] {
  if (stored === null) return [...DIRECT_NOTIFICATION_KINDS];
  const chosen = new Set(stored.split(','));
  return NOTIFICATION_KINDS.filter((k) => chosen.has(k));
}

/** The column's value for a choice of kinds (null when it is the default). */
export function storedEmailKinds(kinds: readonly NotificationKind[]): string | null {
  const list = NOTIFICATION_KINDS.filter((k) => kinds.includes(k)).join(',');
  return list === DEFAULT_EMAIL_KINDS ? null : list;
}

/** The person gets this entry's kind by email (a condition over `users` and `notifications`). */
const emailedKind = sql`instr(',' || coalesce(${users.notificationEmailKinds}, ${DEFAULT_EMAIL_KINDS}) || ',', ',' || ${notifications.kind} || ',') > 0`;

/** An address that optional email may go to. */
const mayGetOptionalMail = and(
  isNotNull(users.email),
  isNotNull(users.emailConfirmedAt),
  isNull(users.emailFailedAt),
  eq(users.optionalEmailOff, false),
);

/** The payload of a topic's notification email: the topic it is about. */
export const topicPayload = (topicId: SQL | number) =>
  sql<string>`json_object('topicId', ${topicId})`;

/** An outbox row's columns, in the table's order, as an INSERT … SELECT needs them. */
const outboxRow = (
  now: number,
  o: { kind: 'notification' | 'digest'; userId: SQL | SQLiteColumn; payload: SQL; dueAt: SQL },
) => ({
  id: sql<number>`null`.as('id'),
  key: sql<string>`lower(hex(randomblob(16)))`.as('key'),
  kind: sql<'notification' | 'digest'>`${o.kind}`.as('kind'),
  userId: sql<number>`${o.userId}`.as('user_id'),
  toAddress: sql<null>`null`.as('to_address'),
  payload: sql<string>`${o.payload}`.as('payload'),
  mailingId: sql<null>`null`.as('mailing_id'),
  urgent: sql<boolean>`0`.as('urgent'),
  status: sql<'queued'>`'queued'`.as('status'),
  attempts: sql<number>`0`.as('attempts'),
  dueAt: sql<Date>`${o.dueAt}`.as('due_at'),
  leaseUntil: sql<null>`null`.as('lease_until'),
  lastAttemptAt: sql<null>`null`.as('last_attempt_at'),
  lastError: sql<null>`null`.as('last_error'),
  createdAt: sql<Date>`${now}`.as('created_at'),
  finishedAt: sql<null>`null`.as('finished_at'),
});

/**
 * Queues the emails that the notifications written since the last run call for, and the
 * summaries that are due, in one batch.
 */
export async function queueNotificationMail(deps: Pick<AppDeps, 'db' | 'now' | 'config'>) {
  const { db } = deps;
  const now = deps.now();
  const wait = deps.config.mail.notificationWaitMs;
  const upTo = new Date(now);
  const unchecked = and(isNull(notifications.mailCheckedAt), lte(notifications.createdAt, upTo));
  const payload = topicPayload(sql`${notifications.topicId}`);
  const whenAway = db.insert(mailOutbox).select(
    db
      .select(
        outboxRow(now, {
          kind: 'notification',
          userId: notifications.userId,
          payload,
          dueAt: sql`min(${notifications.createdAt}) + ${wait}`,
        }),
      )
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(
        and(
          unchecked,
          isNull(notifications.readAt),
          emailedKind,
          mayGetOptionalMail,
          // One email per topic per wait: an email still waiting takes the new entries in.
          sql`not exists (select 1 from ${mailOutbox} where ${mailOutbox.userId} = ${notifications.userId} and ${mailOutbox.kind} = 'notification' and ${mailOutbox.status} = 'queued' and ${mailOutbox.payload} = ${payload})`,
        ),
      )
      .groupBy(notifications.userId, notifications.topicId),
  );
  const checked = db.update(notifications).set({ mailCheckedAt: upTo }).where(unchecked);

  // Summaries: whoever chose one, is due one, and has something unread since the last.
  const dueSince = sql`${now} - case ${users.digest} when 'daily' then ${DIGEST_EVERY_MS.daily} else ${DIGEST_EVERY_MS.weekly} end`;
  const digestDue = and(
    sql`${users.digest} != 'off'`,
    or(isNull(users.digestQueuedAt), sql`${users.digestQueuedAt} <= ${dueSince}`),
    mayGetOptionalMail,
    sql`exists (select 1 from ${notifications} where ${notifications.userId} = ${users.id} and ${notifications.readAt} is null and ${notifications.createdAt} > coalesce(${users.digestQueuedAt}, 0))`,
  );
  const digests = db.insert(mailOutbox).select(
    db
      .select(
        outboxRow(now, {
          kind: 'digest',
          userId: users.id,
          payload: sql`json_object('since', coalesce(${users.digestQueuedAt}, 0))`,
          dueAt: sql`${now}`,
        }),
      )
      .from(users)
      .where(digestDue),
  );
  const digested = db.update(users).set({ digestQueuedAt: upTo }).where(digestDue);
  await db.batch([whenAway, checked, digests, digested]);
}
