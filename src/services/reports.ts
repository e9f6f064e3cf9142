/**
 * Reports: members flag posts; moderators work the queue against the Plimus promise to resolve
 * problems within 2 business days. Resolving a report closes every open report on its post.
 */
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { posts, reports, topics, users } from '../../db/schema';
import type { ReportReason } from '../../domain/words';
import { plainText } from '../content/plain-text';
import type { AppDeps } from '../context';
import { ConflictError, FormError, NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { requireModerator, requireReport } from '../policy/moderation';
import { logAction, removePostStatements } from './moderation';
import { moderationNotice } from './notifications';
import { isPublicPost } from './visibility';

/** The Plimus privacy policy: "We are committed to resolving disputes within 2 business days." */
export const PROMISED_BUSINESS_DAYS = 2;

const DAY = 24 * 3600_000;

/** Time between two instants that falls on Monday to Friday (UTC), in days. */
export function businessDaysBetween(from: number, to: number): number {
  let total = 0;
  let at = from;
  while (at < to) {
    const dayStart = Math.floor(at / DAY) * DAY;
    const next = Math.min(dayStart + DAY, to);
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday !== 0 && weekday !== 6) total += next - at;
    at = next;
  }
  return total / DAY;
}

/**
 * Files a report on a post for a moderator to look at.
 * @throws ForbiddenError (visitors, suspended members, one's own post), NotFoundError,
 *   ConflictError (already reported by this person and still open), FormError 429 (too many)
 */
export async function reportPost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
  input: { reason: ReportReason; note: string },
): Promise<void> {
  const post = await deps.db
    .select({
      id: posts.id,
      userId: posts.userId,
      removedAt: posts.removedAt,
      deletedAt: posts.deletedAt,
      state: posts.state,
    })
    .from(posts)
    .where(eq(posts.id, postId))
    .get();
  if (post?.state !== 'visible') throw new NotFoundError('There is no post at this address.');
  const now = deps.now();
  requireReport(actor, post, now);
  if (post.removedAt || post.deletedAt)
    throw new ConflictError('This post is no longer shown, so there is nothing to report.');
  const open = await deps.db
    .select({ id: reports.id })
    .from(reports)
    .where(
      and(eq(reports.postId, postId), eq(reports.reporterId, actor.id), eq(reports.status, 'open')),
    )
    .get();
  if (open)
    throw new ConflictError('You have already reported this post. A moderator will look at it.');
  const verdict = deps.limits.reportsPerAccount.hit(`reports:${actor.id}`);
  if (!verdict.ok) {
    throw new FormError(
      { form: 'You have sent many reports in a short time. Please wait a while.' },
      429,
      verdict.retryAfterSeconds,
    );
  }
  await deps.db.insert(reports).values({
    postId,
    reporterId: actor.id,
    reason: input.reason,
    note: input.note,
    createdAt: new Date(now),
  });
}

export type QueuedReport = {
  id: number;
  reason: ReportReason;
  note: string;
  reporter: string | null;
  createdAt: Date;
};

export type QueueItem = {
  post: {
    id: number;
    number: number;
    excerpt: string;
    author: string | null;
    authorId: number | null;
    topicId: number;
    topicTitle: string;
    topicSlug: string;
    removed: boolean;
  };
  reports: QueuedReport[];
  /** when the oldest open report on the post was filed */
  reportedAt: Date;
  /** business days since the oldest open report on the post */
  ageBusinessDays: number;
  overdue: boolean;
};

/** Open reports, grouped by post, the post waiting longest first. */
/**
 * What waits for moderators: open reports and held posts, for the header's count on
 * "Moderation". Two counts on their own indexes, in one statement.
 */
export async function moderationQueueCount(deps: AppDeps): Promise<number> {
  const row = await deps.db
    .select({
      open: sql<number>`(${deps.db.select({ n: count() }).from(reports).where(eq(reports.status, 'open'))})`,
      held: sql<number>`(${deps.db
        .select({ n: count() })
        .from(posts)
        .where(and(eq(posts.state, 'held'), isNull(posts.removedAt)))})`,
    })
    .from(sql`(select 1)`)
    .get();
  return Number(row?.open ?? 0) + Number(row?.held ?? 0);
}

export async function reportQueue(deps: AppDeps, actor: Actor): Promise<QueueItem[]> {
  requireModerator(actor, deps.now());
  const reporter = alias(users, 'reporter');
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      report: reports,
      reporter: reporter.username,
      post: {
        id: posts.id,
        number: posts.number,
        bodyHtml: posts.bodyHtml,
        removedAt: posts.removedAt,
        topicId: posts.topicId,
        userId: posts.userId,
      },
      author: author.username,
      topicTitle: topics.title,
      topicSlug: topics.slug,
    })
    .from(reports)
    .innerJoin(posts, eq(posts.id, reports.postId))
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(reporter, eq(reporter.id, reports.reporterId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(eq(reports.status, 'open'))
    .orderBy(asc(reports.createdAt), asc(reports.id));
  const now = deps.now();
  const byPost = new Map<number, QueueItem>();
  for (const r of rows) {
    let item = byPost.get(r.post.id);
    if (!item) {
      const age = businessDaysBetween(r.report.createdAt.getTime(), now);
      item = {
        post: {
          id: r.post.id,
          number: r.post.number,
          excerpt: plainText(r.post.bodyHtml, 300),
          author: r.author,
          authorId: r.post.userId,
          topicId: r.post.topicId,
          topicTitle: r.topicTitle,
          topicSlug: r.topicSlug,
          removed: !!r.post.removedAt,
        },
        reports: [],
        reportedAt: r.report.createdAt,
        ageBusinessDays: age,
        overdue: age > PROMISED_BUSINESS_DAYS,
      };
      byPost.set(r.post.id, item);
    }
    item.reports.push({
      id: r.report.id,
      reason: r.report.reason,
      note: r.report.note,
      reporter: r.reporter,
      createdAt: r.report.createdAt,
    });
  }
  return [...byPost.values()];
}

/**
 * Resolves a report: removes the post (for the reason of the oldest open report) or dismisses;
 * either way every open report on that post is closed, and the action is logged, in one batch.
 * @throws NotFoundError, ConflictError (already resolved)
 */
export async function resolveReport(
  deps: AppDeps,
  actor: Actor,
  reportId: number,
  input: { action: 'remove' | 'dismiss'; note: string },
): Promise<{ postId: number }> {
  requireModerator(actor, deps.now());
  const report = await deps.db.select().from(reports).where(eq(reports.id, reportId)).get();
  if (!report) throw new NotFoundError('There is no report at this address.');
  if (report.status !== 'open') throw new ConflictError('This report was already resolved.');
  const post = await deps.db
    .select({ removedAt: posts.removedAt })
    .from(posts)
    .where(eq(posts.id, report.postId))
    .get();
  const { db } = deps;
  const now = new Date(deps.now());
  const open = await db
    .select({ id: reports.id, reason: reports.reason, reporterId: reports.reporterId })
    .from(reports)
    .where(and(eq(reports.postId, report.postId), eq(reports.status, 'open')))
    .orderBy(asc(reports.createdAt));
  const remove = input.action === 'remove' && post && !post.removedAt;
  await db.batch([
    db
      .update(reports)
      .set({
        status: input.action === 'remove' ? 'resolved' : 'dismissed',
        resolvedAt: now,
        resolvedById: actor.id,
        resolutionNote: input.note || null,
      })
      .where(
        and(
          inArray(
            reports.id,
            open.map((r) => r.id),
          ),
          eq(reports.status, 'open'),
        ),
      ),
    logAction(
      deps,
      actor,
      input.action === 'remove' ? 'report_resolve' : 'report_dismiss',
      { type: 'report', id: reportId },
      {
        reason: report.reason,
        note: input.note,
      },
    ),
    ...(remove
      ? removePostStatements(deps, actor, report.postId, {
          reason: open[0]?.reason ?? report.reason,
          note: input.note,
        })
      : []),
    // Each reporter is told it was dealt with (the outcome, never the moderator's note).
    ...open.flatMap((r) =>
      r.reporterId === null
        ? []
        : [
            moderationNotice(
              db,
              report.postId,
              'report_resolved',
              actor.id,
              now,
              sql`${r.reporterId}`,
            ),
          ],
    ),
  ]);
  return { postId: report.postId };
}

/** A visible post as the report form shows it. */
export async function postForReport(deps: AppDeps, actor: Actor, postId: number) {
  const author = alias(users, 'author');
  const row = await deps.db
    .select({
      post: {
        id: posts.id,
        number: posts.number,
        bodyHtml: posts.bodyHtml,
        userId: posts.userId,
        state: posts.state,
        removedAt: posts.removedAt,
        deletedAt: posts.deletedAt,
      },
      author: author.username,
      topic: { title: topics.title, removedAt: topics.removedAt },
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || !isPublicPost(row.post) || row.topic.removedAt) {
    throw new NotFoundError('There is no post at this address.');
  }
  requireReport(actor, row.post, deps.now());
  return { post: { ...row.post, author: row.author }, topic: row.topic };
}
