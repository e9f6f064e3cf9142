/**
 * The outbox (table `mail_outbox`): every email is a row written in the same `db.batch` as the
 * event that causes it, so an email exists if and only if its event happened. The delivery loop
 * (delivery.ts) claims due rows with a lease, sends them, and marks each one.
 *
 * SQLite has no `SELECT … FOR UPDATE SKIP LOCKED`: a claim is one `UPDATE … RETURNING` that sets
 * the lease on the rows its sub-select picks, and one statement is atomic, so two loops (two
 * servers, a server and `mail:send`, two Workers) never claim the same row while its lease lasts.
 * A loop that dies mid-send leaves its lease to run out; the row is then claimed again and sent
 * with the same key, so the copy is recognisable as the same message.
 *
 * The send rate (`MAIL_RATE_PER_MINUTE`) is counted in the database, in the claim itself: rows
 * attempted in the last minute, whichever process attempted them.
 */
import { and, count, eq, isNotNull, isNull, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mailings, mailOutbox, users } from '../../db/schema';
import type { MailingKind, MailKind, MailStatus } from '../../domain/words';

export type OutboxDeps = { db: Db; now: () => number };

/** How long sent and given-up messages keep their record (kind, dates, status; no address). */
export const MAIL_RECORD_DAYS = 30;
const RECORD_MS = MAIL_RECORD_DAYS * 24 * 3600_000;

export type NewMail = {
  kind: MailKind;
  /** the account it is for; a sub-select where the batch creates the account */
  userId: number | SQL<number>;
  /** only for an address the account does not have yet (a new address to confirm) */
  toAddress?: string;
  /** what the message needs to be written when it is sent; erased once sent */
  payload?: Record<string, string | number>;
  /** a link the person waits for: sent before bulk mail */
  urgent?: boolean;
};

/** The statement that queues one email, for the batch of the event that causes it. */
export function queueMail(deps: OutboxDeps, mail: NewMail) {
  const at = new Date(deps.now());
  return deps.db.insert(mailOutbox).values({
    kind: mail.kind,
    userId: mail.userId,
    toAddress: mail.toAddress ?? null,
    payload: mail.payload ? JSON.stringify(mail.payload) : null,
    urgent: mail.urgent ?? false,
    dueAt: at,
    createdAt: at,
  });
}

/**
 * The statement that queues one email for each account that `recipients` selects, in one
 * `INSERT … SELECT` (never one person twice for one mailing: the index on mailing and account).
 * The kind and the payload may depend on the account (SQL over `users`).
 */
export function queueMailTo(
  deps: OutboxDeps,
  m: {
    kind: MailKind | SQL<MailKind>;
    payload?: SQL<string | null>;
    urgent?: boolean;
    mailingId?: SQL<number>;
    recipients: SQL | undefined;
  },
) {
  const { db } = deps;
  const at = deps.now();
  return db
    .insert(mailOutbox)
    .select(
      db
        .select({
          id: sql<number>`null`.as('id'),
          key: sql<string>`lower(hex(randomblob(16)))`.as('key'),
          kind: (typeof m.kind === 'string' ? sql<MailKind>`${m.kind}` : m.kind).as('kind'),
          userId: users.id,
          toAddress: sql<null>`null`.as('to_address'),
          payload: (m.payload ?? sql<null>`null`).as('payload'),
          mailingId: (m.mailingId ?? sql<null>`null`).as('mailing_id'),
          urgent: sql<boolean>`${m.urgent ? 1 : 0}`.as('urgent'),
          status: sql<'queued'>`'queued'`.as('status'),
          attempts: sql<number>`0`.as('attempts'),
          dueAt: sql<Date>`${at}`.as('due_at'),
          leaseUntil: sql<null>`null`.as('lease_until'),
          lastAttemptAt: sql<null>`null`.as('last_attempt_at'),
          lastError: sql<null>`null`.as('last_error'),
          createdAt: sql<Date>`${at}`.as('created_at'),
          finishedAt: sql<null>`null`.as('finished_at'),
        })
        .from(users)
        .where(m.recipients),
    )
    .onConflictDoNothing();
}

export type NewMailing = {
  kind: MailingKind;
  /** the event it is about: a privacy-notice version, or an announcement topic */
  about: { policyVersion: string } | { topicId: number | SQL<number> };
  createdById: number | null;
  /** which accounts get it: a condition on `users` */
  recipients: SQL;
};

/**
 * The statements that queue one email to many people: the mailing (kept when it exists: a
 * version is mailed about once), one outbox row per recipient in a single `INSERT … SELECT`
 * (`queueMailTo`), and the mailing's count.
 */
export function queueMailing(deps: OutboxDeps, m: NewMailing) {
  const { db } = deps;
  const at = new Date(deps.now());
  const mailingId =
    'policyVersion' in m.about
      ? sql<number>`(select ${mailings.id} from ${mailings} where ${mailings.policyVersion} = ${m.about.policyVersion})`
      : sql<number>`(select ${mailings.id} from ${mailings} where ${mailings.topicId} = ${m.about.topicId})`;
  return [
    db
      .insert(mailings)
      .values({
        kind: m.kind,
        ...('policyVersion' in m.about
          ? { policyVersion: m.about.policyVersion }
          : { topicId: m.about.topicId }),
        createdById: m.createdById,
        createdAt: at,
      })
      .onConflictDoNothing(),
    queueMailTo(deps, {
      kind: m.kind,
      mailingId,
      recipients: m.recipients,
    }),
    db
      .update(mailings)
      .set({
        recipients: sql`(select count(*) from ${mailOutbox} where ${mailOutbox.mailingId} = ${mailings.id})`,
      })
      .where(sql`${mailings.id} = ${mailingId}`),
  ] as const;
}

export type ClaimedMail = typeof mailOutbox.$inferSelect;

export type ClaimOptions = {
  /** rows at most */
  limit: number;
  /** how long the claim lasts */
  leaseMs: number;
  /** attempts allowed in any minute, across every process that delivers */
  ratePerMinute: number;
  /** only links people wait for (Workers, right after a response) */
  urgentOnly?: boolean;
};

/**
 * Claims due rows: one `UPDATE … RETURNING` sets the lease, counts the attempt and notes when,
 * on at most `limit` rows and no more than the minute's rate leaves. Urgent rows first, then the
 * oldest due.
 */
export async function claimDue(deps: OutboxDeps, o: ClaimOptions): Promise<ClaimedMail[]> {
  const now = deps.now();
  const urgentOnly = o.urgentOnly ? sql` and o.urgent = 1` : sql``;
  return deps.db
    .update(mailOutbox)
    .set({
      leaseUntil: new Date(now + o.leaseMs),
      attempts: sql`${mailOutbox.attempts} + 1`,
      lastAttemptAt: new Date(now),
    })
    .where(
      sql`${mailOutbox.id} in (select o.id from mail_outbox o where o.status = 'queued' and o.due_at <= ${now} and (o.lease_until is null or o.lease_until <= ${now})${urgentOnly} order by o.urgent desc, o.due_at, o.id limit (select max(0, min(${o.limit}, ${o.ratePerMinute} - count(*))) from mail_outbox r where r.last_attempt_at > ${now - 60_000}))`,
    )
    .returning();
}

/** Gives rows back without counting the attempt (the loop stopped before sending them). */
export function releaseClaim(deps: OutboxDeps, row: ClaimedMail) {
  return deps.db
    .update(mailOutbox)
    .set({ leaseUntil: null, attempts: sql`${mailOutbox.attempts} - 1` })
    .where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.leaseUntil, row.leaseUntil as Date)));
}

/** What is erased when a message is done: whatever was secret or personal in it. */
const ERASED = { payload: null, toAddress: null, leaseUntil: null } as const;

/**
 * Sent. A message that reached the account's address also clears a failure noted on it: the
 * address works again.
 */
export async function markSent(deps: OutboxDeps, row: ClaimedMail): Promise<void> {
  const { db } = deps;
  const at = new Date(deps.now());
  await db.batch([
    db
      .update(mailOutbox)
      .set({ ...ERASED, status: 'sent', finishedAt: at, lastError: null })
      .where(eq(mailOutbox.id, row.id)),
    ...(row.toAddress === null
      ? [
          db
            .update(users)
            .set({ emailFailedAt: null, emailFailure: null })
            .where(and(eq(users.id, row.userId), isNotNull(users.emailFailedAt))),
        ]
      : []),
  ]);
}

/** Only the claim that is still this loop's may put a row back or give it up. */
const stillOurs = (row: ClaimedMail) =>
  and(
    eq(mailOutbox.id, row.id),
    eq(mailOutbox.status, 'queued'),
    eq(mailOutbox.leaseUntil, row.leaseUntil as Date),
  );

/** Failed for now: tried again at `retryAt`. */
export async function markRetry(
  deps: OutboxDeps,
  row: ClaimedMail,
  code: string,
  retryAt: number,
): Promise<void> {
  await deps.db
    .update(mailOutbox)
    .set({ leaseUntil: null, dueAt: new Date(retryAt), lastError: code })
    .where(stillOurs(row));
}

/**
 * Given up: refused for good, or failed too often. When it was going to the account's own
 * address, that address is marked as failing (the person sees it on /account).
 */
export async function markDead(deps: OutboxDeps, row: ClaimedMail, code: string): Promise<void> {
  const { db } = deps;
  const at = new Date(deps.now());
  await db.batch([
    db
      .update(mailOutbox)
      .set({ ...ERASED, status: 'dead', finishedAt: at, lastError: code })
      .where(stillOurs(row)),
    ...(row.toAddress === null
      ? [
          db
            .update(users)
            .set({ emailFailedAt: at, emailFailure: code })
            .where(and(eq(users.id, row.userId), isNull(users.emailFailedAt))),
        ]
      : []),
  ]);
}

/** Not sent, and not to be: its reason went away before it could be. */
export async function markDropped(deps: OutboxDeps, row: ClaimedMail): Promise<void> {
  await deps.db
    .update(mailOutbox)
    .set({ ...ERASED, status: 'dropped', finishedAt: new Date(deps.now()) })
    .where(stillOurs(row));
}

/** Forgets the records of messages finished more than 30 days ago. */
export async function purgeOldRecords(deps: OutboxDeps): Promise<void> {
  await deps.db
    .delete(mailOutbox)
    .where(
      and(
        ne(mailOutbox.status, 'queued'),
        lt(mailOutbox.finishedAt, new Date(deps.now() - RECORD_MS)),
      ),
    );
}

/** How many messages are in each state (for the command line and /admin/mail). */
export async function outboxCounts(deps: OutboxDeps): Promise<Record<MailStatus, number>> {
  const rows = await deps.db
    .select({ status: mailOutbox.status, n: count() })
    .from(mailOutbox)
    .groupBy(mailOutbox.status);
  const counts: Record<MailStatus, number> = { queued: 0, sent: 0, dead: 0, dropped: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}
