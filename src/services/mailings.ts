/**
 * Emails to many people at once, each from one event: the notice that the privacy notice changed
 * (from /admin/mail or `npm run cli -- notify-privacy-change`), and announcements (an
 * administrator's topic in an announcement forum, with "Also email this to subscribers").
 *
 * Each mailing is one row of `mailings` and one `INSERT … SELECT` of outbox rows, in the batch of
 * its event (src/mail/outbox.ts): the announcement's rows in the batch that writes its topic. Nobody gets one version's notice twice: the account remembers
 * the version it was emailed about (`users.policy_version_mailed`, written in the same batch),
 * which outlives the outbox's 30-day records.
 */
import {
  and,
  count,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  lt,
  ne,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { mailings, mailOutbox, topics, users } from '../../db/schema';
import type { MailingKind, MailStatus } from '../../domain/words';
import { CURRENT_PRIVACY, type PrivacyRevision } from '../content/privacy';
import type { AppDeps } from '../context';
import { outboxCounts, queueMailing } from '../mail/outbox';
import type { Actor } from '../policy';
import {
  type Administrator,
  COMMAND_LINE,
  requireAdministrator,
  requireEmailAnnouncement,
} from '../policy/admin';
import type { TopicAlso } from './posting';

/**
 * Who is emailed about a version of the privacy notice: every registered person with an address
 * (confirmed or not: it is a service notice) that is not known to refuse mail, who joined before
 * the version's date (people who joined later agreed to it), and was not emailed about it yet.
 */
function policyRecipients(revision: PrivacyRevision): SQL {
  return sql`${and(
    isNotNull(users.email),
    isNull(users.emailFailedAt),
    lt(users.createdAt, new Date(`${revision.date}T00:00:00Z`)),
    or(isNull(users.policyVersionMailed), ne(users.policyVersionMailed, revision.version)),
  )}`;
}

export type MailingOutcome = {
  mailingId: number;
  version: string;
  /** emails queued now */
  queued: number;
  /** emails of this version queued in all, now and before */
  recipients: number;
};

/**
 * Queues one dated email about the current privacy notice to every registered person who has not
 * had one about this version; running it again mails only those (people who joined before the
 * version but were skipped, say, because their address was failing and has been fixed since).
 * @throws ForbiddenError for anyone but administrators (and the command line)
 */
export async function mailPrivacyChange(deps: AppDeps, by: Administrator): Promise<MailingOutcome> {
  requireAdministrator(by, deps.now());
  const { db } = deps;
  const revision = CURRENT_PRIVACY;
  const recipients = policyRecipients(revision);
  const mailingOfVersion = () =>
    db.select().from(mailings).where(eq(mailings.policyVersion, revision.version)).get();
  const before = (await mailingOfVersion())?.recipients ?? 0;
  await db.batch([
    ...queueMailing(deps, {
      kind: 'policy_change',
      about: { policyVersion: revision.version },
      createdById: by === COMMAND_LINE || !by ? null : by.id,
      recipients,
    }),
    // After the INSERT … SELECT, whose condition this changes: the same people, marked.
    db.update(users).set({ policyVersionMailed: revision.version }).where(recipients),
  ]);
  const mailing = await mailingOfVersion();
  if (!mailing) throw new Error('the mailing was not written');
  deps.mail.nudge();
  return {
    mailingId: mailing.id,
    version: revision.version,
    queued: mailing.recipients - before,
    recipients: mailing.recipients,
  };
}

export type MailingProgress = {
  id: number;
  kind: MailingKind;
  createdAt: Date;
  /** a privacy-notice mailing: the version */
  policyVersion: string | null;
  /** an announcement: its topic */
  topic: { id: number; title: string; slug: string } | null;
  /** emails queued for it */
  recipients: number;
  /** its emails by status; those whose 30-day record is gone count as done */
  counts: Record<MailStatus, number>;
  /** emails not waiting any more (sent, given up, dropped, or forgotten) */
  done: number;
};

/** The latest mailings with how far their sending has come, newest first. */
export async function listMailings(
  deps: AppDeps,
  by: Administrator,
  limit = 20,
  /** only the mailing of this privacy-notice version */
  policyVersion?: string,
): Promise<MailingProgress[]> {
  requireAdministrator(by, deps.now());
  const { db } = deps;
  const rows = await db
    .select({
      mailing: mailings,
      topicTitle: topics.title,
      topicSlug: topics.slug,
    })
    .from(mailings)
    .leftJoin(topics, eq(topics.id, mailings.topicId))
    .where(policyVersion === undefined ? undefined : eq(mailings.policyVersion, policyVersion))
    .orderBy(desc(mailings.id))
    .limit(limit);
  const ids = rows.map((r) => r.mailing.id);
  const counted =
    ids.length === 0
      ? []
      : await db
          .select({ mailingId: mailOutbox.mailingId, status: mailOutbox.status, n: count() })
          .from(mailOutbox)
          .where(inArray(mailOutbox.mailingId, ids))
          .groupBy(mailOutbox.mailingId, mailOutbox.status);
  return rows.map(({ mailing: m, topicTitle, topicSlug }) => {
    const counts: Record<MailStatus, number> = { queued: 0, sent: 0, dead: 0, dropped: 0 };
    for (const c of counted) if (c.mailingId === m.id) counts[c.status] = c.n;
    return {
      id: m.id,
      kind: m.kind,
      createdAt: m.createdAt,
      policyVersion: m.policyVersion,
      topic:
        m.topicId !== null && topicTitle !== null && topicSlug !== null
          ? { id: m.topicId, title: topicTitle, slug: topicSlug }
          : null,
      recipients: m.recipients,
      counts,
      done: Math.max(0, m.recipients - counts.queued),
    };
  });
}

/** How far one mailing has come (for the command line's progress bar). */
export async function mailingProgress(
  deps: AppDeps,
  mailingId: number,
): Promise<Record<MailStatus, number>> {
  const counted = await deps.db
    .select({ status: mailOutbox.status, n: count() })
    .from(mailOutbox)
    .where(eq(mailOutbox.mailingId, mailingId))
    .groupBy(mailOutbox.status);
  const counts: Record<MailStatus, number> = { queued: 0, sent: 0, dead: 0, dropped: 0 };
  for (const c of counted) counts[c.status] = c.n;
  return counts;
}

/** Whether any email of the mailing waits to be sent within `withinMs` (not a later retry). */
export async function mailingDueSoon(
  deps: AppDeps,
  mailingId: number,
  withinMs: number,
): Promise<boolean> {
  const row = await deps.db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(
      and(
        eq(mailOutbox.mailingId, mailingId),
        eq(mailOutbox.status, 'queued'),
        sql`${mailOutbox.dueAt} <= ${deps.now() + withinMs}`,
      ),
    )
    .limit(1)
    .get();
  return !!row;
}

export type MailOverview = {
  /** the privacy notice as it is now */
  privacy: PrivacyRevision;
  /** its mailing, when it was mailed about */
  privacyMailing: MailingProgress | null;
  mailings: MailingProgress[];
  /** every email of the last 30 days, by status */
  outbox: Record<MailStatus, number>;
  /** whether the forum can send email at all */
  available: boolean;
};

/** What /admin/mail shows. */
export async function mailOverview(deps: AppDeps, by: Administrator): Promise<MailOverview> {
  const mailingsNow = await listMailings(deps, by);
  const privacyMailing =
    mailingsNow.find((m) => m.policyVersion === CURRENT_PRIVACY.version) ??
    (await listMailings(deps, by, 1, CURRENT_PRIVACY.version))[0] ??
    null;
  return {
    privacy: CURRENT_PRIVACY,
    privacyMailing,
    mailings: mailingsNow,
    outbox: await outboxCounts(deps),
    available: deps.mail.available,
  };
}

/**
 * Who gets an announcement: members who chose announcements, at a confirmed address that works,
 * who have not turned off all email but service notices.
 */
const announcementRecipients = and(
  eq(users.announcementsOptIn, true),
  eq(users.optionalEmailOff, false),
  isNotNull(users.email),
  isNotNull(users.emailConfirmedAt),
  isNull(users.emailFailedAt),
) as SQL;

/**
 * "Also email this to subscribers": the statements that queue the announcement, for the batch of
 * the new topic (src/services/posting.ts `TopicDraft.also`). What each email says is written when
 * it is sent, from the topic as it is then; a topic removed before that is not sent.
 * @throws ForbiddenError unless an administrator writes in an announcement forum
 */
export function announcementMailing(
  deps: AppDeps,
  author: NonNullable<Actor>,
  forum: { announcements: boolean; archived: boolean },
): TopicAlso {
  requireEmailAnnouncement(author, forum, deps.now());
  return (topicId) => [
    ...queueMailing(deps, {
      kind: 'announcement',
      about: { topicId },
      createdById: author.id,
      recipients: announcementRecipients,
    }),
  ];
}
