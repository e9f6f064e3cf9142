/**
 * Notifications: what a person is told about in the forum.
 *
 * A new public post writes a job row in its own batch (`notificationJobFor`); a loop
 * (`runNotificationJobs`: the Node server's, after a Worker's response, the Cron Trigger, the
 * tests) turns each job into notifications, so that posting never waits for the fan-out and a
 * crash in between loses none. Each person hears about a post once, for its most direct reason:
 * a mention, a quote of their post, a vendor answering their question, a reply in their topic.
 * Replies in one topic gather in one entry ("3 new replies") until it is read. Nobody is told
 * about their own posts, and a notification about a post nobody may read any more (removed,
 * held, deleted, its topic gone) is neither shown nor counted.
 *
 * Opening the post's page marks it read (with the reading state, src/services/read-marks.ts).
 * Notifications are their person's data: exported and erased with the account.
 */
import { and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  forums,
  forumWatches,
  identityLinks,
  notificationJobs,
  notifications,
  posts,
  products,
  topics,
  topicWatches,
  users,
} from '../../db/schema';
import { type NotificationKind, SHOWN_UNREADABLE } from '../../domain/words';
import type { AtomFeed } from '../content/atom';
import { notificationText } from '../content/notification-text';
import { escapeXml } from '../content/xml';
import type { AppDeps } from '../context';
import { describeError } from '../errors';
import { queueNotificationMail } from './notification-mail';
import { pageOfNumber } from './topics';

export const NOTIFICATIONS_PER_PAGE = 30;
const DAY_MS = 24 * 3600_000;
/** a loop that died leaves its jobs to others after this */
const JOB_LEASE_MS = 60_000;
const JOBS_PER_CLAIM = 20;
/** a job that failed this often is given up (and logged) */
const MAX_JOB_ATTEMPTS = 5;

/**
 * The job of a post that just became public, for the batch that makes it so. A held post gets
 * its job when it is approved. `postId` may be an expression (the post the batch wrote).
 */
export const notificationJobOf = (db: Db, postId: number | SQL, at: Date) =>
  db.insert(notificationJobs).values({ postId, createdAt: at });

/** The author's newest post: the one the batch that wrote it can name no other way. */
export const newestPostOf = (authorId: number) =>
  sql<number>`(select max(${posts.id}) from ${posts} where ${posts.userId} = ${authorId})`;

/**
 * Tells the author of `postId` that `actorId` accepted it as the answer (nothing when they
 * accepted their own post, or when the batch's acceptance did not take). After the acceptance in
 * its batch.
 */
export const answerAcceptedNotice = (db: Db, postId: number, actorId: number, at: Date) =>
  replacingNotice(
    postNotice(db, {
      postId,
      kind: 'answer_accepted',
      actorId,
      at,
      also: sql`exists (select 1 from ${topics} where ${topics.id} = ${posts.topicId} and ${topics.acceptedPostId} = ${posts.id})`,
    }),
    'answer_accepted',
    actorId,
    at,
  );

/**
 * A notification about `postId` for `to` (its author unless given), from `actorId`, never to the
 * actor themselves: the `INSERT … SELECT` the notices below complete with their conflict rule.
 */
function postNotice(
  db: Db,
  o: { postId: number; kind: NotificationKind; actorId: number; at: Date; to?: SQL; also?: SQL },
) {
  const to = o.to ?? sql`${posts.userId}`;
  return db.insert(notifications).select(
    db
      .select({
        id: sql<number>`null`.as('id'),
        userId: sql<number>`${to}`.as('user_id'),
        kind: sql<NotificationKind>`${o.kind}`.as('kind'),
        topicId: posts.topicId,
        postId: posts.id,
        actorId: sql<number>`${o.actorId}`.as('actor_id'),
        count: sql<number>`1`.as('count'),
        createdAt: sql<Date>`${o.at.getTime()}`.as('created_at'),
        readAt: sql<Date | null>`null`.as('read_at'),
        mailCheckedAt: sql<Date | null>`null`.as('mail_checked_at'),
      })
      .from(posts)
      .where(
        and(eq(posts.id, o.postId), sql`${to} is not null`, sql`${to} != ${o.actorId}`, o.also),
      ),
  );
}

/** The latest notice about a post is what the person is told: it replaces the earlier one. */
function replacingNotice(
  insert: ReturnType<typeof postNotice>,
  kind: NotificationKind,
  actorId: number,
  at: Date,
) {
  return insert.onConflictDoUpdate({
    target: [notifications.userId, notifications.postId],
    set: { kind, actorId, count: 1, createdAt: at, readAt: null, mailCheckedAt: null },
  });
}

/**
 * Turns due jobs into notifications until none is left. Safe to run in several processes at
 * once (each job is claimed with a lease). Never rejects: failures are logged by job id only.
 * @returns how many jobs were done
 */
export async function runNotificationJobs(
  deps: Pick<AppDeps, 'db' | 'now' | 'config'>,
  log: (line: string) => void = () => {},
): Promise<number> {
  let done = 0;
  try {
    for (;;) {
      const now = deps.now();
      const jobs = await deps.db
        .update(notificationJobs)
        .set({
          leaseUntil: new Date(now + JOB_LEASE_MS),
          attempts: sql`${notificationJobs.attempts} + 1`,
        })
        .where(
          inArray(
            notificationJobs.id,
            deps.db
              .select({ id: notificationJobs.id })
              .from(notificationJobs)
              .where(
                or(
                  isNull(notificationJobs.leaseUntil),
                  lt(notificationJobs.leaseUntil, new Date(now)),
                ),
              )
              .orderBy(notificationJobs.id)
              .limit(JOBS_PER_CLAIM),
          ),
        )
        .returning();
      if (jobs.length === 0) {
        await queueNotificationMail(deps);
        return done;
      }
      for (const job of jobs) {
        try {
          await fanOut(deps, job);
          done++;
        } catch (err) {
          log(`notification job ${job.id} failed (attempt ${job.attempts}): ${describeError(err)}`);
          if (job.attempts >= MAX_JOB_ATTEMPTS) {
            await deps.db.delete(notificationJobs).where(eq(notificationJobs.id, job.id));
            log(`notification job ${job.id} given up`);
          }
        }
      }
    }
  } catch (err) {
    log(`notification jobs not run: ${describeError(err)}`);
    return done;
  }
}

/** A post anyone may read: only those are notified, shown and counted. */
const readable = sql`${posts.state} = 'visible' and ${posts.removedAt} is null and ${posts.deletedAt} is null and ${topics.state} = 'visible' and ${topics.removedAt} is null`;

type Job = typeof notificationJobs.$inferSelect;

/** Who hears about the job's post, and why; then their notifications and the job's end, in one batch. */
async function fanOut(deps: Pick<AppDeps, 'db' | 'now' | 'config'>, job: Job): Promise<void> {
  const { db } = deps;
  const post = await db
    .select({
      id: posts.id,
      topicId: posts.topicId,
      forumId: topics.forumId,
      number: posts.number,
      authorId: posts.userId,
      html: posts.bodyHtml,
      markdown: posts.bodyMarkdown,
      createdAt: posts.createdAt,
      public: sql<number>`${readable}`,
      topicAuthorId: topics.userId,
      topicKind: topics.kind,
      vendorId: products.vendorId,
      authorVendorId: identityLinks.vendorId,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(products, eq(products.id, forums.productId))
    .leftJoin(identityLinks, eq(identityLinks.userId, posts.userId))
    .where(eq(posts.id, job.postId))
    .get();
  const end = db.delete(notificationJobs).where(eq(notificationJobs.id, job.id));
  if (!post?.public || post.authorId === null) {
    await end;
    return;
  }
  const reasons = new Map<number, NotificationKind>();
  const add = (userId: number | null | undefined, kind: NotificationKind) => {
    if (userId == null || userId === post.authorId || reasons.has(userId)) return;
    reasons.set(userId, kind);
  };
  // The most direct reason first: each person hears once. Muting the topic (or its forum, when
  // the topic has no level of theirs) silences everything but a mention.
  for (const id of await mentionedIds(db, post.html)) add(id, 'mention');
  const quoted = await quotedAuthorIds(db, post.markdown, post.topicId);
  const muted = await mutedAmong(db, post, [
    ...quoted,
    ...(post.number > 1 && post.topicAuthorId !== null ? [post.topicAuthorId] : []),
  ]);
  for (const id of quoted) if (!muted.has(id)) add(id, 'quote');
  if (post.number > 1 && post.topicAuthorId !== null && !muted.has(post.topicAuthorId)) {
    const vendorAnswer =
      post.topicKind === 'question' &&
      post.vendorId !== null &&
      post.authorVendorId === post.vendorId;
    add(post.topicAuthorId, vendorAnswer ? 'vendor_answered' : 'reply');
  }
  const at = new Date(deps.now());
  const statements = [...reasons].flatMap(([userId, kind]) =>
    kind === 'reply'
      ? gathered(db, 'reply', sql`${users.id} = ${userId}`, post, at)
      : [
          db
            .insert(notifications)
            .values({
              userId,
              kind,
              topicId: post.topicId,
              postId: post.id,
              actorId: post.authorId,
              createdAt: at,
            })
            .onConflictDoNothing(),
        ],
  );
  // Then the watchers, whoever is not told already, straight from the watch tables.
  const told = [post.authorId, ...reasons.keys()];
  const watchers =
    post.number === 1
      ? gathered(
          db,
          'watched_forum_topic',
          forumWatcherOfNewTopics(
            post.forumId,
            post.topicId,
            told,
            deps.now() - deps.config.vendorClaimsMaxAgeDays * DAY_MS,
          ),
          post,
          at,
        )
      : gathered(
          db,
          'watched_topic_post',
          topicWatcher(post.forumId, post.topicId, told),
          post,
          at,
        );
  await db.batch([end, ...statements, ...watchers]);
}

/** Of `userIds`, those who muted the post's topic, or its forum without a level for the topic. */
async function mutedAmong(
  db: Db,
  post: { topicId: number; forumId: number },
  userIds: number[],
): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .leftJoin(
      topicWatches,
      and(eq(topicWatches.userId, users.id), eq(topicWatches.topicId, post.topicId)),
    )
    .leftJoin(
      forumWatches,
      and(eq(forumWatches.userId, users.id), eq(forumWatches.forumId, post.forumId)),
    )
    .where(
      and(
        inArray(users.id, userIds),
        sql`coalesce(${topicWatches.level}, ${forumWatches.level}) = 'muted'`,
      ),
    );
  return new Set(rows.map((r) => r.id));
}

/**
 * Someone who hears of every new post of the topic: watching it, or watching its forum with no
 * level of their own for the topic. A condition on `users.id`, for the statements below.
 */
function topicWatcher(forumId: number, topicId: number, told: number[]): SQL {
  return sql`${users.id} in (
    select ${topicWatches.userId} from ${topicWatches}
      where ${topicWatches.topicId} = ${topicId} and ${topicWatches.level} = 'watching'
    union all
    select ${forumWatches.userId} from ${forumWatches}
      where ${forumWatches.forumId} = ${forumId} and ${forumWatches.level} = 'watching'
        and not exists (select 1 from ${topicWatches} where ${topicWatches.topicId} = ${topicId}
          and ${topicWatches.userId} = ${forumWatches.userId})
  ) and ${users.id} not in (${sql.join(
    told.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}

/**
 * Someone who hears of the forum's new topics (unless they muted this one): watching the forum
 * or its first posts, or, by default, staff of the vendor whose product the forum is about (they
 * exist to answer its questions) while their vendor status is fresh and they chose no level of
 * their own for the forum.
 */
function forumWatcherOfNewTopics(
  forumId: number,
  topicId: number,
  told: number[],
  staffFreshSince: number,
): SQL {
  return sql`${users.id} in (
    select ${forumWatches.userId} from ${forumWatches}
      where ${forumWatches.forumId} = ${forumId}
        and ${forumWatches.level} in ('watching', 'watching_first_post')
        and not exists (select 1 from ${topicWatches} where ${topicWatches.topicId} = ${topicId}
          and ${topicWatches.userId} = ${forumWatches.userId} and ${topicWatches.level} = 'muted')
    union all
    select ${identityLinks.userId} from ${identityLinks}
      join ${products} on ${products.vendorId} = ${identityLinks.vendorId}
      join ${forums} on ${forums.productId} = ${products.id}
      where ${forums.id} = ${forumId} and ${identityLinks.claimsRefreshedAt} > ${staffFreshSince}
        and not exists (select 1 from ${forumWatches} where ${forumWatches.forumId} = ${forumId}
          and ${forumWatches.userId} = ${identityLinks.userId})
  ) and ${users.id} not in (${sql.join(
    told.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}

/**
 * The post for everyone `who` names (a condition on `users.id`), in two statements whatever
 * their number. A reply or a watched topic's post is added to the person's unread entry of that
 * kind in the topic when there is one (which keeps pointing at the first unread post), else a
 * new entry; other kinds are one entry per post.
 */
function gathered(
  db: Db,
  kind: NotificationKind,
  who: SQL,
  post: { id: number; topicId: number; authorId: number | null },
  at: Date,
) {
  const insert = (unless: SQL | undefined) =>
    db
      .insert(notifications)
      .select(
        db
          .select({
            id: sql<number>`null`.as('id'),
            userId: users.id,
            kind: sql<NotificationKind>`${kind}`.as('kind'),
            topicId: sql<number>`${post.topicId}`.as('topic_id'),
            postId: sql<number>`${post.id}`.as('post_id'),
            actorId: sql<number | null>`${post.authorId}`.as('actor_id'),
            count: sql<number>`1`.as('count'),
            createdAt: sql<Date>`${at.getTime()}`.as('created_at'),
            readAt: sql<Date | null>`null`.as('read_at'),
            mailCheckedAt: sql<Date | null>`null`.as('mail_checked_at'),
          })
          .from(users)
          .where(and(who, unless)),
      )
      .onConflictDoNothing();
  if (kind !== 'reply' && kind !== 'watched_topic_post') return [insert(undefined)] as const;
  const unread = and(
    eq(notifications.topicId, post.topicId),
    eq(notifications.kind, kind),
    isNull(notifications.readAt),
  );
  return [
    db
      .update(notifications)
      .set({ count: sql`${notifications.count} + 1`, actorId: post.authorId, createdAt: at })
      .where(
        and(
          unread,
          inArray(notifications.userId, db.select({ id: users.id }).from(users).where(who)),
        ),
      ),
    insert(
      sql`not exists (select 1 from ${notifications} where ${notifications.userId} = ${users.id} and ${unread})`,
    ),
  ] as const;
}

const MENTION_HREF = /<a class="mention" href="\/u\/([^"]{1,64})">/g;

/** The accounts a cooked post mentions (the cooking pipeline linked only known names). */
async function mentionedIds(db: Db, html: string): Promise<number[]> {
  const names = [
    ...new Set([...html.matchAll(MENTION_HREF)].map((m) => (m[1] ?? '').toLowerCase())),
  ];
  if (names.length === 0) return [];
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(inArray(users.usernameKey, names.slice(0, 10)));
  return rows.map((r) => r.id);
}

const QUOTE_SOURCE = /wrote in \[#\d{1,9}\]\(\/p\/(\d{1,12})\):/g;

/** The authors of the posts of the same topic that this one quotes (the Quote link's form). */
async function quotedAuthorIds(db: Db, markdown: string, topicId: number): Promise<number[]> {
  const ids = [...new Set([...markdown.matchAll(QUOTE_SOURCE)].map((m) => Number(m[1])))].slice(
    0,
    10,
  );
  if (ids.length === 0) return [];
  const rows = await db
    .select({ userId: posts.userId })
    .from(posts)
    .where(and(inArray(posts.id, ids), eq(posts.topicId, topicId)));
  return rows.flatMap((r) => (r.userId === null ? [] : [r.userId]));
}

/** A notification as its page shows it. */
export type NotificationView = {
  id: number;
  kind: NotificationKind;
  count: number;
  createdAt: Date;
  read: boolean;
  actor: string | null;
  topicTitle: string;
  /** why the post was removed, for a notice that it was */
  reason: string | null;
  /** where the post is: its topic's page and anchor */
  href: string;
};

/** What a person's notification list shows: readable posts, and the notices about moderation. */
const shown = () => or(readable, inArray(notifications.kind, SHOWN_UNREADABLE));

/** One page of a person's notifications, newest first, and whether there is a next page. */
export async function listNotifications(
  deps: AppDeps,
  userId: number,
  page: number,
): Promise<{ items: NotificationView[]; hasNext: boolean }> {
  const rows = await deps.db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      count: notifications.count,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      actor: users.username,
      topicId: topics.id,
      slug: topics.slug,
      title: topics.title,
      postId: posts.id,
      number: posts.number,
      reason: posts.removedReason,
    })
    .from(notifications)
    .innerJoin(posts, eq(posts.id, notifications.postId))
    .innerJoin(topics, eq(topics.id, notifications.topicId))
    .leftJoin(users, eq(users.id, notifications.actorId))
    .where(and(eq(notifications.userId, userId), shown()))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PER_PAGE + 1)
    .offset((page - 1) * NOTIFICATIONS_PER_PAGE);
  const items = rows.slice(0, NOTIFICATIONS_PER_PAGE).map((r) => {
    const onPage = pageOfNumber(r.number);
    return {
      id: r.id,
      kind: r.kind,
      count: r.count,
      createdAt: r.createdAt,
      read: r.readAt !== null,
      actor: r.actor,
      topicTitle: r.title,
      reason: r.reason,
      href: `/t/${r.topicId}/${r.slug}${onPage > 1 ? `?page=${onPage}` : ''}#p${r.postId}`,
    };
  });
  return { items, hasNext: rows.length > NOTIFICATIONS_PER_PAGE };
}

/** The unread count in the header of every signed-in page: one query on the person's index. */
export async function unreadNotificationCount(deps: AppDeps, userId: number): Promise<number> {
  const row = await deps.db
    .select({ n: sql<number>`count(*)` })
    .from(notifications)
    .innerJoin(posts, eq(posts.id, notifications.postId))
    .innerJoin(topics, eq(topics.id, notifications.topicId))
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), shown()))
    .get();
  return Number(row?.n ?? 0);
}

/** "Mark all read". */
export async function markAllNotificationsRead(deps: AppDeps, userId: number): Promise<void> {
  await deps.db
    .update(notifications)
    .set({ readAt: new Date(deps.now()) })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

/** How often the Node server's loop looks for jobs nobody nudged it about (after a crash). */
const SWEEP_EVERY_MS = 30_000;

/**
 * The Node server's loop: runs the jobs when nudged (a post was written) and every
 * SWEEP_EVERY_MS, one run at a time; a nudge during a run makes one more run after it.
 */
export function startNotificationLoop(
  deps: Pick<AppDeps, 'db' | 'now' | 'config'>,
  log: (line: string) => void,
) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await runNotificationJobs(deps, log);
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  };
  const sweep = setInterval(run, SWEEP_EVERY_MS);
  sweep.unref();
  run();
  return {
    nudge: run,
    /** Stops looking; the run under way (if any) finishes first. */
    async stop() {
      stopped = true;
      clearInterval(sweep);
      await running;
    },
  };
}

/**
 * Tells the author of `postId` that `actorId` liked it, right after the like's insert in its batch
 * (nothing when the like was already there). Likes gather on the post's one entry: the first
 * notifies, later ones count on it and notify again (unread) at most once a day. An entry of
 * another kind about the post (its answer accepted, a mention) becomes the like's once it has
 * been read; while it is unread it stays what the person is told.
 */
export function likeNotice(db: Db, postId: number, actorId: number, at: Date) {
  const dayAgo = at.getTime() - DAY_MS;
  const gathering = sql`${notifications.kind} = 'like'`;
  const fresh = sql`(not ${gathering} or ${notifications.createdAt} < ${dayAgo})`;
  // Only when the like before it in the batch was written (not there already).
  return postNotice(db, {
    postId,
    kind: 'like',
    actorId,
    at,
    also: sql`changes() = 1`,
  }).onConflictDoUpdate({
    target: [notifications.userId, notifications.postId],
    set: {
      kind: 'like',
      count: sql`case when ${gathering} then ${notifications.count} + 1 else 1 end`,
      actorId,
      readAt: sql`case when ${fresh} then null else ${notifications.readAt} end`,
      mailCheckedAt: sql`case when ${fresh} then null else ${notifications.mailCheckedAt} end`,
      createdAt: sql`case when ${fresh} then excluded.created_at else ${notifications.createdAt} end`,
    },
    setWhere: sql`${gathering} or ${notifications.readAt} is not null`,
  });
}

/** What moderators did to a person's post, that its author is told about. */
export type ModerationNoticeKind = Extract<
  NotificationKind,
  'post_removed' | 'post_restored' | 'post_approved' | 'post_refused' | 'report_resolved'
>;

/**
 * Tells the author of `postId` what a moderator (`actorId`) did to it, for the batch that does
 * it; replaces what they were told about that post before (the latest is what holds). Nothing
 * for a moderator's own post.
 */
export const moderationNotice = (
  db: Db,
  postId: number,
  kind: ModerationNoticeKind,
  actorId: number,
  at: Date,
  to?: SQL,
) => replacingNotice(postNotice(db, { postId, kind, actorId, at, to }), kind, actorId, at);

/**
 * The private feed's key: the account id, the feed's version and a MAC over both (key purpose
 * `feed`), so that the address works without any secret stored, and a reset ends every earlier
 * one. For people who give no email address, or prefer a feed reader.
 */
export async function notificationFeedKey(deps: Pick<AppDeps, 'keys' | 'db'>, userId: number) {
  const row = await deps.db
    .select({ version: users.notificationFeedVersion })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  const body = `${userId}.${row?.version ?? 0}`;
  return `${body}.${deps.keys.sign('feed', `notifications:${body}`)}`;
}

const FEED_KEY = /^(\d{1,12})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/;

/** The Atom feed of the person whose key this is, or null for a key that is not (or no longer) one. */
export async function notificationFeed(deps: AppDeps, key: string): Promise<AtomFeed | null> {
  const m = FEED_KEY.exec(key);
  if (!m) return null;
  const [, id, version, mac] = m;
  if (!deps.keys.verify('feed', `notifications:${id}.${version}`, mac as string)) return null;
  const user = await deps.db
    .select({ id: users.id, username: users.username, version: users.notificationFeedVersion })
    .from(users)
    .where(eq(users.id, Number(id)))
    .get();
  if (!user || user.version !== Number(version)) return null;
  const { items } = await listNotifications(deps, user.id, 1);
  const origin = deps.config.publicOrigin;
  return {
    self: `${origin}/notifications/${key}/feed.atom`,
    title: `Notifications for ${user.username}`,
    alternate: `${origin}/notifications`,
    updated: items[0]?.createdAt ?? new Date(0),
    author: 'Plimus Community Forums',
    entries: items.map((n) => {
      const title = `${notificationText(n)} ${n.topicTitle}`;
      return {
        id: `${origin}/notifications#${n.id}-${n.createdAt.getTime()}`,
        title,
        link: `${origin}${n.href}`,
        updated: n.createdAt,
        published: n.createdAt,
        author: n.actor ?? 'A deleted user',
        html: escapeXml(title),
      };
    }),
  };
}

/** A new feed address for `userId`: every earlier one stops working. */
export async function resetNotificationFeed(deps: AppDeps, userId: number): Promise<void> {
  await deps.db
    .update(users)
    .set({ notificationFeedVersion: sql`${users.notificationFeedVersion} + 1` })
    .where(eq(users.id, userId));
}
