/**
 * What moderators do: remove and restore posts and topics, lock, pin, move, suspend. Every action
 * writes its moderation-log row in the same batch as the change itself, so the log can never
 * miss an action or record one that did not happen.
 */
import { and, desc, eq, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { forums, moderationLog, posts, reports, topics, users } from '../../db/schema';
import { REPORT_REASONS, type ReportReason, type ReportStatus } from '../../domain/words';
import type { AppDeps } from '../context';
import { ConflictError, FormError, NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { PERMANENT_SUSPENSION } from '../policy';
import {
  canPurge,
  canSuspend,
  requireModerator,
  requirePurge,
  requireSuspend,
} from '../policy/moderation';
import { moderationNotice } from './notifications';
import { reindexPosts, unindexPosts } from './search-index';
import { publicPost, refreshForum, refreshForumSummary } from './visibility';

export type Moderator = NonNullable<Actor>;

export const REMOVAL_REASONS = REPORT_REASONS;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export const MOD_ACTIONS = [
  'post_remove',
  'post_restore',
  'post_approve',
  'topic_remove',
  'topic_restore',
  'topic_lock',
  'topic_unlock',
  'topic_pin',
  'topic_unpin',
  'topic_move',
  /** a moderator turned someone's discussion into a question or back (src/services/topic-kind.ts) */
  'topic_kind',
  'user_suspend',
  'user_unsuspend',
  'user_purge',
  'user_hold_posts',
  'user_release_posts',
  'report_resolve',
  'report_dismiss',
] as const;
export type ModAction = (typeof MOD_ACTIONS)[number];

/** Every action the log can hold: moderators' and administrators' (src/services/admin.ts). */
export const LOG_ACTIONS = [
  ...MOD_ACTIONS,
  'forum_create',
  'forum_update',
  'forum_reorder',
  'forum_tie',
  'forum_untie',
  'forum_archive',
  'forum_unarchive',
  'role_change',
  'watched_word_add',
  'watched_word_remove',
] as const;

type Target = { type: 'post' | 'topic' | 'user' | 'report' | 'forum'; id: number };

/** The moderation-log row for an action, to put in the action's own batch. */
export function logAction(
  deps: AppDeps,
  actor: Moderator,
  action: ModAction | (string & {}),
  target: Target,
  detail: { reason?: string | null; note?: string | null } = {},
) {
  return deps.db.insert(moderationLog).values({
    moderatorId: actor.id,
    action,
    targetType: target.type,
    targetId: target.id,
    reason: detail.reason ?? null,
    note: detail.note || null,
    createdAt: new Date(deps.now()),
  });
}

/** A post with what moderating it needs of its topic. @throws NotFoundError */
export async function postWithTopic(deps: AppDeps, postId: number) {
  const row = await deps.db
    .select({
      post: posts,
      forumId: topics.forumId,
      topicTitle: topics.title,
      topicNumberOne: topics.firstPostId,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(eq(posts.id, postId))
    .get();
  if (!row) throw new NotFoundError('There is no post at this address.');
  return row;
}

/**
 * The statements that resolve the open reports of posts a removal takes away (`ofPosts`, a
 * condition on `reports.postId`), for the removal's own batch: one `report_resolve` log row per
 * report (an `INSERT … SELECT` that runs first, while they are still open) unless the action
 * that closes them logs itself as one entry, then the reports closed. Nothing is read
 * beforehand, so a report filed meanwhile cannot slip between the two.
 */
function resolveReportsStatements(
  deps: AppDeps,
  actor: Moderator,
  ofPosts: SQL,
  input: { note: string; why: string; log?: boolean },
) {
  const { db } = deps;
  const open = and(ofPosts, eq(reports.status, 'open'));
  const at = deps.now();
  const close = db
    .update(reports)
    .set({
      status: 'resolved',
      resolvedAt: new Date(at),
      resolvedById: actor.id,
      resolutionNote: input.note || null,
    })
    .where(open);
  if (input.log === false) return [close] as const;
  return [
    // insert … select writes every column of the log in the table's order.
    db.insert(moderationLog).select(
      db
        .select({
          id: sql<number>`null`.as('id'),
          moderatorId: sql<number>`${actor.id}`.as('moderator_id'),
          action: sql<string>`'report_resolve'`.as('action'),
          targetType: sql<'report'>`'report'`.as('target_type'),
          targetId: reports.id,
          targetDeleted: sql<boolean>`0`.as('target_deleted'),
          reason: reports.reason,
          note: sql<string>`${input.why}`.as('note'),
          createdAt: sql<Date>`${at}`.as('created_at'),
        })
        .from(reports)
        .where(open),
    ),
    close,
  ] as const;
}

/**
 * The statements that remove the posts `which` selects (a condition on `posts`), with no log
 * row of their own: they leave the search index, stop being anybody's accepted answer, and
 * their open reports are resolved. What reads the set comes before the update that changes it,
 * so `which` may be a condition the removal itself makes false (e.g. "not removed").
 */
function removePostsStatements(
  deps: AppDeps,
  actor: Moderator,
  which: SQL,
  input: { reason: RemovalReason; note: string; why: string; logReports: boolean },
) {
  const { db } = deps;
  const chosen = db.select({ id: posts.id }).from(posts).where(which);
  return [
    unindexPosts(db, which),
    // A removed reply is no longer anybody's answer.
    db
      .update(topics)
      .set({ acceptedPostId: null, acceptedById: null, acceptedAt: null })
      .where(
        and(
          inArray(topics.id, db.select({ id: posts.topicId }).from(posts).where(which)),
          inArray(topics.acceptedPostId, chosen),
        ),
      ),
    ...resolveReportsStatements(deps, actor, inArray(reports.postId, chosen), {
      note: input.note,
      why: input.why,
      log: input.logReports,
    }),
    db
      .update(posts)
      .set({
        removedAt: new Date(deps.now()),
        removedById: actor.id,
        removedReason: input.reason,
        removedNote: input.note || null,
      })
      .where(and(which, isNull(posts.removedAt))),
  ] as const;
}

/**
 * The statements that remove a post (for removePost, for resolving a report by removal, for
 * refusing a held post): its open reports are resolved with it, and logged.
 */
export function removePostStatements(
  deps: AppDeps,
  actor: Moderator,
  postId: number,
  input: { reason: RemovalReason; note: string },
) {
  return [
    ...removePostsStatements(deps, actor, eq(posts.id, postId), {
      ...input,
      why: 'The post was removed.',
      logReports: true,
    }),
    logAction(deps, actor, 'post_remove', { type: 'post', id: postId }, input),
    // Its author is told, with the reason.
    moderationNotice(deps.db, postId, 'post_removed', actor.id, new Date(deps.now())),
  ] as const;
}

/**
 * Removes a post: the public sees "Removed by a moderator (reason)", the author sees the note.
 * @throws ConflictError when it is already removed
 */
export async function removePost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
  input: { reason: RemovalReason; note: string },
): Promise<void> {
  requireModerator(actor, deps.now());
  const { post } = await postWithTopic(deps, postId);
  if (post.removedAt) throw new ConflictError('This post is already removed.');
  await deps.db.batch(removePostStatements(deps, actor, postId, input));
}

/**
 * Restores a removed post. It goes back into the search index only if the public may see it
 * again: not while its topic is removed or held, nor when its author deleted it.
 * @throws ConflictError when the post is not removed
 */
export async function restorePost(
  deps: AppDeps,
  actor: Actor,
  postId: number,
  note: string,
): Promise<void> {
  requireModerator(actor, deps.now());
  const { post } = await postWithTopic(deps, postId);
  if (!post.removedAt) throw new ConflictError('This post is not removed.');
  const { db } = deps;
  await db.batch([
    db
      .update(posts)
      .set({ removedAt: null, removedById: null, removedReason: null, removedNote: null })
      .where(eq(posts.id, postId)),
    ...(await reindexPosts(db, eq(posts.id, postId))),
    logAction(deps, actor, 'post_restore', { type: 'post', id: postId }, { note }),
    moderationNotice(db, postId, 'post_restored', actor.id, new Date(deps.now())),
  ]);
}

async function topicRow(deps: AppDeps, topicId: number) {
  const topic = await deps.db.select().from(topics).where(eq(topics.id, topicId)).get();
  if (!topic) throw new NotFoundError('There is no topic at this address.');
  return topic;
}

/**
 * Removes a topic: it leaves its forum's list and counters, its posts leave the search index, and
 * the open reports on any of its posts are resolved (and logged).
 * @throws ConflictError when it is already removed
 */
export async function removeTopic(
  deps: AppDeps,
  actor: Actor,
  topicId: number,
  input: { reason: RemovalReason; note: string },
): Promise<void> {
  requireModerator(actor, deps.now());
  const topic = await topicRow(deps, topicId);
  if (topic.removedAt) throw new ConflictError('This topic is already removed.');
  await deps.db.batch([
    ...removeTopicsStatements(deps, actor, eq(topics.id, topicId), {
      ...input,
      logReports: true,
      forums: eq(forums.id, topic.forumId),
    }),
    logAction(deps, actor, 'topic_remove', { type: 'topic', id: topicId }, input),
  ]);
}

/**
 * The statements that remove the topics `which` selects (a condition on `topics`), with no log
 * row of their own: their posts leave the search index, the open reports on any of their posts
 * are resolved, and their forums are recounted. As with posts, what reads the set comes first.
 */
function removeTopicsStatements(
  deps: AppDeps,
  actor: Moderator,
  which: SQL,
  input: {
    reason: RemovalReason;
    note: string;
    logReports: boolean;
    /** their forums (a condition on `forums` that the removal does not make false) */
    forums: SQL;
  },
) {
  const { db } = deps;
  const inTopics = inArray(posts.topicId, db.select({ id: topics.id }).from(topics).where(which));
  return [
    unindexPosts(db, inTopics),
    ...resolveReportsStatements(
      deps,
      actor,
      inArray(reports.postId, db.select({ id: posts.id }).from(posts).where(inTopics)),
      { note: input.note, why: 'The topic was removed.', log: input.logReports },
    ),
    db
      .update(topics)
      .set({ removedAt: new Date(deps.now()), removedById: actor.id, removedReason: input.reason })
      .where(and(which, isNull(topics.removedAt))),
    refreshForumSummary(db, input.forums),
  ] as const;
}

/**
 * Restores a removed topic: back in its forum, and exactly its public posts back in the search
 * index (not those removed, deleted or held meanwhile).
 * @throws ConflictError when it is not removed, or went with its author's deleted account
 */
export async function restoreTopic(
  deps: AppDeps,
  actor: Actor,
  topicId: number,
  note: string,
): Promise<void> {
  requireModerator(actor, deps.now());
  const topic = await topicRow(deps, topicId);
  if (!topic.removedAt) throw new ConflictError('This topic is not removed.');
  if (topic.removedReason === 'account_deleted') {
    // Its author deleted their account and their posts with it: their text is gone for good.
    throw new ConflictError(
      'This topic went with its author\u2019s deleted account and cannot be restored.',
    );
  }
  const { db } = deps;
  await db.batch([
    db
      .update(topics)
      .set({ removedAt: null, removedById: null, removedReason: null })
      .where(eq(topics.id, topicId)),
    ...(await reindexPosts(db, eq(posts.topicId, topicId))),
    refreshForum(db, topic.forumId),
    logAction(deps, actor, 'topic_restore', { type: 'topic', id: topicId }, { note }),
  ]);
}

const TOPIC_FLAGS = {
  lock: {
    column: 'locked',
    value: true,
    action: 'topic_lock',
    already: 'This topic is already locked.',
  },
  unlock: {
    column: 'locked',
    value: false,
    action: 'topic_unlock',
    already: 'This topic is not locked.',
  },
  pin: {
    column: 'pinned',
    value: true,
    action: 'topic_pin',
    already: 'This topic is already pinned.',
  },
  unpin: {
    column: 'pinned',
    value: false,
    action: 'topic_unpin',
    already: 'This topic is not pinned.',
  },
} as const;
export type TopicFlagChange = keyof typeof TOPIC_FLAGS;

/** Locks, unlocks, pins or unpins a topic. */
export async function setTopicFlag(
  deps: AppDeps,
  actor: Actor,
  topicId: number,
  change: TopicFlagChange,
  reason: string,
): Promise<void> {
  requireModerator(actor, deps.now());
  const topic = await topicRow(deps, topicId);
  const flag = TOPIC_FLAGS[change];
  if (topic[flag.column] === flag.value) throw new ConflictError(flag.already);
  await deps.db.batch([
    deps.db
      .update(topics)
      .set({ [flag.column]: flag.value })
      .where(eq(topics.id, topicId)),
    logAction(deps, actor, flag.action, { type: 'topic', id: topicId }, { note: reason }),
  ]);
}

/**
 * Moves a topic to another forum. Its address (/t/:id/:slug) does not change, so links keep working.
 * @throws FormError when the forum is unknown or the same one
 */
export async function moveTopic(
  deps: AppDeps,
  actor: Actor,
  topicId: number,
  forumSlug: string,
): Promise<void> {
  requireModerator(actor, deps.now());
  const topic = await topicRow(deps, topicId);
  const target = await deps.db.select().from(forums).where(eq(forums.slug, forumSlug)).get();
  if (!target) throw new FormError({ forum: 'There is no forum with that address.' });
  if (target.id === topic.forumId)
    throw new FormError({ forum: 'The topic is already in that forum.' });
  const { db } = deps;
  const from = await db
    .select({ slug: forums.slug })
    .from(forums)
    .where(eq(forums.id, topic.forumId))
    .get();
  await db.batch([
    db.update(topics).set({ forumId: target.id }).where(eq(topics.id, topicId)),
    refreshForum(db, topic.forumId),
    refreshForum(db, target.id),
    logAction(
      deps,
      actor,
      'topic_move',
      { type: 'topic', id: topicId },
      {
        note: `${from?.slug ?? '?'} -> ${target.slug}`,
      },
    ),
  ]);
}

async function userByName(deps: AppDeps, username: string) {
  const user = await deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      suspendedUntil: users.suspendedUntil,
    })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  if (!user) throw new NotFoundError('There is no member with this username.');
  return user;
}

const DAY = 24 * 3600_000;

/** The statement that suspends an account until the given instant, for the action's batch. */
function suspendStatement(deps: AppDeps, userId: number, until: Date, reason: string) {
  return deps.db
    .update(users)
    .set({ suspendedUntil: until, suspendedReason: reason })
    .where(eq(users.id, userId));
}

/** Lengths of a suspension a moderator can pick instead of a day. */
export const SUSPENSION_PRESETS = ['1d', '1w', '1m', 'permanent'] as const;
export type SuspensionPreset = (typeof SUSPENSION_PRESETS)[number];

const PRESET_MS: Record<Exclude<SuspensionPreset, 'permanent'>, number> = {
  '1d': DAY,
  '1w': 7 * DAY,
  '1m': 30 * DAY,
};

/** How long a suspension lasts: through a day (UTC, "YYYY-MM-DD"), or a preset length. */
export type SuspensionLength = {
  until: string | null;
  preset?: SuspensionPreset | null | undefined;
};

/**
 * When a suspension of the given length, starting now, ends: a preset counts from now, a day
 * ends at the next midnight (UTC); with neither, it is permanent (PERMANENT_SUSPENSION).
 * @throws FormError when the day is not in the future
 */
function suspensionEndOf(deps: AppDeps, length: SuspensionLength): Date {
  const { preset, until: lastDay } = length;
  if (preset === 'permanent') return PERMANENT_SUSPENSION;
  if (preset) return new Date(deps.now() + PRESET_MS[preset]);
  if (lastDay === null) return PERMANENT_SUSPENSION;
  const until = Date.parse(`${lastDay}T00:00:00Z`) + DAY;
  if (until <= deps.now()) throw new FormError({ until: 'Choose a day after today.' });
  return new Date(until);
}

const PRESET_WORDS: Record<Exclude<SuspensionPreset, 'permanent'>, string> = {
  '1d': '1 day',
  '1w': '1 week',
  '1m': '1 month',
};

/** The log's note of a suspension's length: "until 2026-12-04", "for 1 week (until 2026-12-09)". */
function lengthNote(length: SuspensionLength, end: Date): string {
  if (end.getTime() >= PERMANENT_SUSPENSION.getTime()) return 'permanently';
  const day = end.toISOString().slice(0, 10);
  return length.preset && length.preset !== 'permanent'
    ? `for ${PRESET_WORDS[length.preset]} (until ${day})`
    : `until ${length.until ?? day}`;
}

/**
 * Suspends a member through the given day (UTC): they can read, not post, edit or report.
 * @throws FormError when the date is not in the future
 */
export async function suspendMember(
  deps: AppDeps,
  actor: Actor,
  username: string,
  input: SuspensionLength & { reason: string },
): Promise<void> {
  const target = await userByName(deps, username);
  requireSuspend(actor, target, deps.now());
  if (!input.preset && input.until === null)
    throw new FormError({ until: 'Enter the last day of the suspension, or choose a length.' });
  const until = suspensionEndOf(deps, input);
  await deps.db.batch([
    suspendStatement(deps, target.id, until, input.reason),
    logAction(
      deps,
      actor,
      'user_suspend',
      { type: 'user', id: target.id },
      {
        reason: input.reason,
        note: lengthNote(input, until),
      },
    ),
  ]);
}

/**
 * For spam accounts: every post of the account still shown (published or held) is removed as
 * spam, with the topics it started, the open reports on them are resolved, and the account is
 * suspended (through `until`, or permanently), in one batch with one log entry. The removals
 * and the suspension are those of removePost, removeTopic and suspendMember, so the forums'
 * counters and the search index follow as they do there.
 * @throws ForbiddenError (see canPurge), FormError when the date is not in the future
 */
export async function purgeMember(
  deps: AppDeps,
  actor: Actor,
  username: string,
  input: SuspensionLength & { reason: string },
): Promise<void> {
  const target = await userByName(deps, username);
  requirePurge(actor, target, deps.now());
  const until = suspensionEndOf(deps, input);
  const { db } = deps;
  const input2 = { reason: 'spam' as const, note: '', logReports: false };
  await db.batch([
    ...removeTopicsStatements(
      deps,
      actor,
      and(eq(topics.userId, target.id), isNull(topics.removedAt)) as SQL,
      {
        ...input2,
        forums: inArray(
          forums.id,
          db.select({ id: topics.forumId }).from(topics).where(eq(topics.userId, target.id)),
        ),
      },
    ),
    ...removePostsStatements(
      deps,
      actor,
      and(eq(posts.userId, target.id), isNull(posts.removedAt), isNull(posts.deletedAt)) as SQL,
      { ...input2, why: 'The account was removed as spam.' },
    ),
    suspendStatement(deps, target.id, until, input.reason),
    logAction(
      deps,
      actor,
      'user_purge',
      { type: 'user', id: target.id },
      {
        reason: input.reason,
        note: `every post removed as spam; suspended ${lengthNote(input, until)}`,
      },
    ),
  ]);
}

export async function unsuspendMember(
  deps: AppDeps,
  actor: Actor,
  username: string,
  note: string,
): Promise<void> {
  const target = await userByName(deps, username);
  requireSuspend(actor, target, deps.now());
  if (!target.suspendedUntil || target.suspendedUntil.getTime() <= deps.now()) {
    throw new ConflictError('This member is not suspended.');
  }
  await deps.db.batch([
    deps.db
      .update(users)
      .set({ suspendedUntil: null, suspendedReason: null })
      .where(eq(users.id, target.id)),
    logAction(deps, actor, 'user_unsuspend', { type: 'user', id: target.id }, { note }),
  ]);
}

export type LogFilter = {
  moderator?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
};
export type LogEntry = {
  id: number;
  at: Date;
  moderator: string | null;
  action: string;
  targetType: string;
  targetId: number;
  /** the account the entry is about was deleted */
  targetDeleted: boolean;
  /** the username of the account a `user` entry is about */
  targetUsername: string | null;
  reason: string | null;
  note: string | null;
};

export const LOG_PAGE = 50;

/**
 * The moderation log, newest first, filtered by moderator (username), action and target
 * ("post:12", "topic:3", "user:7"); `before` is the id of the last entry of the previous page.
 */
export async function listLog(deps: AppDeps, actor: Actor, filter: LogFilter, before?: number) {
  requireModerator(actor, deps.now());
  const moderator = alias(users, 'moderator');
  const target = alias(users, 'target');
  const where: (SQL | undefined)[] = [];
  if (filter.moderator) where.push(eq(moderator.usernameKey, filter.moderator.toLowerCase()));
  if (filter.action) where.push(eq(moderationLog.action, filter.action));
  if (filter.target) {
    const [type, id] = filter.target.split(':');
    where.push(
      eq(moderationLog.targetType, type as 'post'),
      eq(moderationLog.targetId, Number(id)),
    );
  }
  if (before) where.push(lt(moderationLog.id, before));
  const rows = await deps.db
    .select({
      id: moderationLog.id,
      at: moderationLog.createdAt,
      moderator: moderator.username,
      action: moderationLog.action,
      targetType: moderationLog.targetType,
      targetId: moderationLog.targetId,
      targetDeleted: moderationLog.targetDeleted,
      targetUsername: target.username,
      reason: moderationLog.reason,
      note: moderationLog.note,
    })
    .from(moderationLog)
    .leftJoin(moderator, eq(moderator.id, moderationLog.moderatorId))
    .leftJoin(
      target,
      and(sql`${moderationLog.targetType} = 'user'`, eq(target.id, moderationLog.targetId)),
    )
    .where(and(...where))
    .orderBy(desc(moderationLog.id))
    .limit(LOG_PAGE + 1);
  return { entries: rows.slice(0, LOG_PAGE) as LogEntry[], more: rows.length > LOG_PAGE };
}

/** A report as the moderation panel of its post lists it. */
export type PostReport = {
  id: number;
  reason: ReportReason;
  note: string;
  reporter: string | null;
  createdAt: Date;
  status: ReportStatus;
  resolvedAt: Date | null;
};

/** The most reports the moderation panel of a post lists (the newest). */
export const POST_REPORTS_SHOWN = 50;

/** A post as its moderation panel shows it, with its reports (open and closed), oldest first. */
export async function postForModeration(deps: AppDeps, actor: Actor, postId: number) {
  requireModerator(actor, deps.now());
  const author = alias(users, 'author');
  const row = await deps.db
    .select({
      post: {
        id: posts.id,
        number: posts.number,
        bodyHtml: posts.bodyHtml,
        removedAt: posts.removedAt,
        removedReason: posts.removedReason,
        removedNote: posts.removedNote,
      },
      author: author.username,
      authorId: posts.userId,
      topic: { id: topics.id, slug: topics.slug, title: topics.title },
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(eq(posts.id, postId))
    .get();
  if (!row) throw new NotFoundError('There is no post at this address.');
  const reporter = alias(users, 'reporter');
  // By id, the order of the post's index: the newest, then shown oldest first.
  const newest = await deps.db
    .select({
      id: reports.id,
      reason: reports.reason,
      note: reports.note,
      reporter: reporter.username,
      createdAt: reports.createdAt,
      status: reports.status,
      resolvedAt: reports.resolvedAt,
    })
    .from(reports)
    .leftJoin(reporter, eq(reporter.id, reports.reporterId))
    .where(eq(reports.postId, postId))
    .orderBy(desc(reports.id))
    .limit(POST_REPORTS_SHOWN);
  const records = await authorRecords(deps, actor, [row.authorId]);
  return {
    post: { ...row.post, author: row.author },
    topic: row.topic,
    reports: newest.reverse() as PostReport[],
    authorRecord: row.authorId === null ? null : (records[row.authorId] ?? null),
  };
}

/** A topic (removed ones too) and the forums it could move to, for its moderation panel. */
export async function topicForModeration(deps: AppDeps, actor: Actor, topicId: number) {
  requireModerator(actor, deps.now());
  const row = await deps.db
    .select({ topic: topics, forumSlug: forums.slug })
    .from(topics)
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .where(eq(topics.id, topicId))
    .get();
  if (!row) throw new NotFoundError('There is no topic at this address.');
  const all = await deps.db
    .select({ slug: forums.slug, name: forums.name })
    .from(forums)
    .orderBy(forums.category, forums.position);
  return { topic: { ...row.topic, forumSlug: row.forumSlug }, forums: all };
}

/** A member as the moderation panel shows them, and whether this moderator may suspend them. */
export async function memberForModeration(deps: AppDeps, actor: Actor, username: string) {
  requireModerator(actor, deps.now());
  const member = await deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      suspendedUntil: users.suspendedUntil,
      suspendedReason: users.suspendedReason,
      postsNeedApproval: users.postsNeedApproval,
    })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  if (!member) throw new NotFoundError('There is no member with this username.');
  const active =
    member.suspendedUntil && member.suspendedUntil.getTime() > deps.now()
      ? member.suspendedUntil
      : null;
  const records = await authorRecords(deps, actor, [member.id]);
  return {
    member: { ...member, suspendedUntil: active },
    record: records[member.id] ?? null,
    canSuspend: canSuspend(actor, member, deps.now()),
    canPurge: canPurge(actor, member, deps.now()),
  };
}

/** What a moderator sees of a post's author beside the post: how long and how well they took part. */
export type AuthorRecord = {
  joinedAt: Date;
  /** posts the public sees */
  visiblePosts: number;
  /** reports against their posts already resolved or dismissed */
  earlierReports: number;
  /** their posts removed by moderators */
  removals: number;
};

/**
 * The records of the authors a moderation page shows, in one query for all of them, by id
 * (deleted authors, `null`, have none).
 */
export async function authorRecords(
  deps: AppDeps,
  actor: Actor,
  ids: readonly (number | null)[],
): Promise<Record<number, AuthorRecord>> {
  requireModerator(actor, deps.now());
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return {};
  const p = alias(posts, 'p');
  const rows = await deps.db
    .select({
      id: users.id,
      joinedAt: users.createdAt,
      visiblePosts: sql<number>`(${deps.db
        .select({ n: sql`count(*)` })
        .from(p)
        .where(and(eq(p.userId, users.id), publicPost(p)))})`,
      earlierReports: sql<number>`(${deps.db
        .select({ n: sql`count(*)` })
        .from(p)
        .innerJoin(reports, eq(reports.postId, p.id))
        .where(and(eq(p.userId, users.id), sql`${reports.status} <> 'open'`))})`,
      removals: sql<number>`(${deps.db
        .select({ n: sql`count(*)` })
        .from(p)
        .where(and(eq(p.userId, users.id), sql`${p.removedAt} is not null`))})`,
    })
    .from(users)
    .where(inArray(users.id, wanted));
  const records: Record<number, AuthorRecord> = {};
  for (const { id, ...r } of rows) {
    records[id] = {
      joinedAt: r.joinedAt,
      visiblePosts: Number(r.visiblePosts),
      earlierReports: Number(r.earlierReports),
      removals: Number(r.removals),
    };
  }
  return records;
}
