/**
 * The vendor dashboard: for staff of a vendor, the open questions in the forums of their
 * vendor's products, and their own recent replies there.
 *
 * Open questions are listed by the time of their last post, oldest first: that is the order of
 * `topics_forum_listing_idx` (forum, pinned, last activity, id). Each forum's pinned and unpinned
 * topics are read as separate walks of that index from the page's cursor, at most a page each,
 * and merged here; no query sorts outside an index however many questions there are. (Listing
 * them by the time they were asked instead needs an index on the topics' creation time; see the
 * README.)
 */
import { and, asc, count, desc, eq, gt, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { forums, posts, products, topics, users, vendors } from '../../db/schema';
import type { AppDeps } from '../context';
import type { Actor } from '../policy';
import { requireVendorStaff } from '../policy/vendors';
import { publicPost, publicTopic } from './visibility';

export const QUESTIONS_PER_PAGE = 30;
export const RECENT_ANSWERS = 20;

export type VendorForum = { id: number; slug: string; name: string };

export type OpenQuestion = {
  id: number;
  title: string;
  slug: string;
  forum: VendorForum;
  author: string | null;
  createdAt: Date;
  lastPostAt: Date;
  replyCount: number;
};

export type RecentAnswer = {
  postId: number;
  number: number;
  createdAt: Date;
  topic: { id: number; title: string; slug: string; kind: 'discussion' | 'question' };
  forum: VendorForum;
  /** this reply is its question's accepted answer */
  accepted: boolean;
};

/** A position in the list of open questions: the last post's time and the topic id. */
export type QuestionCursor = { lastPostAt: number; id: number };

export function encodeQuestionCursor(c: QuestionCursor): string {
  return `${c.lastPostAt}.${c.id}`;
}

export function decodeQuestionCursor(s: string | undefined): QuestionCursor | undefined {
  const m = s?.match(/^(\d{1,15})\.(\d{1,15})$/);
  if (!m) return undefined;
  return { lastPostAt: Number(m[1]), id: Number(m[2]) };
}

export type DashboardRequest = {
  page: number;
  /** the last question of the previous page (a "next" link) */
  after?: QuestionCursor | undefined;
  /** the first question of the following page (a "previous" link) */
  before?: QuestionCursor | undefined;
};

export type VendorDashboard = {
  vendorName: string;
  forums: VendorForum[];
  questions: OpenQuestion[];
  /** open questions in all the vendor's forums */
  openCount: number;
  page: number;
  pageCount: number;
  next: QuestionCursor | null;
  prev: QuestionCursor | null;
  answers: RecentAnswer[];
};

/** An open question: still without an accepted answer, and not removed. */
const isOpenQuestion = and(
  sql`${topics.kind} = 'question'`,
  isNull(topics.acceptedPostId),
  publicTopic(),
);

/** Questions without an accepted answer among the topics `where` selects. */
async function openQuestionCount(db: Db, where: SQL | undefined): Promise<number> {
  return (
    (await db.select({ n: count() }).from(topics).where(and(where, isOpenQuestion)).get())?.n ?? 0
  );
}

/** The open questions in the product forums of `vendorId`: the header's count on "Vendor". */
export function vendorOpenQuestionCount(deps: AppDeps, vendorId: number): Promise<number> {
  return openQuestionCount(
    deps.db,
    inArray(
      topics.forumId,
      deps.db
        .select({ id: forums.id })
        .from(forums)
        .innerJoin(products, eq(products.id, forums.productId))
        .where(eq(products.vendorId, vendorId)),
    ),
  );
}

/**
 * The dashboard of the vendor the actor is staff of.
 * @throws ForbiddenError when the actor is not vendor staff (requireVendorStaff)
 */
export async function getVendorDashboard(
  deps: AppDeps,
  actor: Actor,
  req: DashboardRequest,
): Promise<VendorDashboard> {
  requireVendorStaff(actor);
  const { db } = deps;
  // The vendor's product forums: a handful of rows of the small forums table.
  const forumRows = await db
    .select({ id: forums.id, slug: forums.slug, name: forums.name, vendorName: vendors.name })
    .from(forums)
    .innerJoin(products, eq(products.id, forums.productId))
    .innerJoin(vendors, eq(vendors.id, products.vendorId))
    .where(eq(products.vendorId, actor.vendorId))
    .orderBy(asc(forums.position), asc(forums.id));
  const vendorForums = forumRows.map(({ vendorName: _, ...f }) => f);
  const vendorName =
    forumRows[0]?.vendorName ??
    (
      await db
        .select({ name: vendors.name })
        .from(vendors)
        .where(eq(vendors.id, actor.vendorId))
        .get()
    )?.name ??
    '';
  const empty = {
    vendorName,
    forums: vendorForums,
    questions: [],
    openCount: 0,
    page: 1,
    pageCount: 1,
    next: null,
    prev: null,
    answers: [],
  };
  if (vendorForums.length === 0) return empty;
  const forumIds = vendorForums.map((f) => f.id);
  const forumOf = (id: number) => vendorForums.find((f) => f.id === id) as VendorForum;

  const openCount = await openQuestionCount(db, inArray(topics.forumId, forumIds));
  const pageCount = Math.max(1, Math.ceil(openCount / QUESTIONS_PER_PAGE));
  const page = Math.min(Math.max(1, req.page), pageCount);

  const questions = await openQuestions(deps, forumIds, forumOf, req, page);
  const answers = await recentAnswers(deps, actor.id, forumIds, forumOf);
  const cursorOf = (q: OpenQuestion): QuestionCursor => ({
    lastPostAt: q.lastPostAt.getTime(),
    id: q.id,
  });
  const first = questions[0];
  const last = questions[questions.length - 1];
  return {
    vendorName,
    forums: vendorForums,
    questions,
    openCount,
    page,
    pageCount,
    next: page < pageCount && last ? cursorOf(last) : null,
    prev: page > 1 && first ? cursorOf(first) : null,
    answers,
  };
}

/**
 * One page of open questions, oldest last post first. Every (forum, pinned) pair is one ordered
 * walk of `topics_forum_listing_idx` from the cursor, limited to a page; the walks are merged.
 */
async function openQuestions(
  deps: AppDeps,
  forumIds: number[],
  forumOf: (id: number) => VendorForum,
  req: DashboardRequest,
  page: number,
): Promise<OpenQuestion[]> {
  const { db } = deps;
  const author = alias(users, 'author');
  const key = sql`(${topics.lastPostAt}, ${topics.id})`;
  const at = (c: QuestionCursor) => sql`(${c.lastPostAt}, ${c.id})`;
  const backwards = !req.after && !!req.before;
  let from: SQL | undefined;
  let skip = 0;
  if (req.after) from = sql`${key} > ${at(req.after)}`;
  else if (req.before) from = sql`${key} < ${at(req.before)}`;
  // A page typed by hand (?page=N without a cursor) skips the rows before it.
  else skip = (page - 1) * QUESTIONS_PER_PAGE;
  const take = skip + QUESTIONS_PER_PAGE;
  const order = backwards
    ? [desc(topics.lastPostAt), desc(topics.id)]
    : [asc(topics.lastPostAt), asc(topics.id)];
  const walk = (forumId: number, pinned: boolean) =>
    db
      .select({
        id: topics.id,
        title: topics.title,
        slug: topics.slug,
        forumId: topics.forumId,
        author: author.username,
        createdAt: topics.createdAt,
        lastPostAt: topics.lastPostAt,
        postCount: topics.postCount,
      })
      .from(topics)
      .leftJoin(author, eq(author.id, topics.userId))
      .where(and(eq(topics.forumId, forumId), eq(topics.pinned, pinned), isOpenQuestion, from))
      .orderBy(...order)
      .limit(take);
  // Separate reads (not one batch): a few small index walks, each checked by the query-plan test.
  const results = await Promise.all(forumIds.flatMap((id) => [walk(id, false), walk(id, true)]));
  const direction = backwards ? -1 : 1;
  const merged = results
    .flat()
    .sort((a, b) => direction * (a.lastPostAt.getTime() - b.lastPostAt.getTime() || a.id - b.id))
    .slice(skip, take);
  if (backwards) merged.reverse();
  return merged.map((r) => ({
    id: r.id,
    title: r.title,
    slug: r.slug,
    forum: forumOf(r.forumId),
    author: r.author,
    createdAt: r.createdAt,
    lastPostAt: r.lastPostAt,
    replyCount: Math.max(0, r.postCount - 1),
  }));
}

/**
 * The staff member's own latest replies in the vendor's forums, newest first: a walk of their
 * posts by `posts_user_created_idx`, each topic found by its primary key.
 */
async function recentAnswers(
  deps: AppDeps,
  userId: number,
  forumIds: number[],
  forumOf: (id: number) => VendorForum,
): Promise<RecentAnswer[]> {
  const rows = await deps.db
    .select({
      postId: posts.id,
      number: posts.number,
      createdAt: posts.createdAt,
      topicId: topics.id,
      title: topics.title,
      slug: topics.slug,
      kind: topics.kind,
      forumId: topics.forumId,
      acceptedPostId: topics.acceptedPostId,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(
      and(
        eq(posts.userId, userId),
        gt(posts.number, 1),
        publicPost(),
        publicTopic(),
        inArray(topics.forumId, forumIds),
      ),
    )
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(RECENT_ANSWERS);
  return rows.map((r) => ({
    postId: r.postId,
    number: r.number,
    createdAt: r.createdAt,
    topic: { id: r.topicId, title: r.title, slug: r.slug, kind: r.kind },
    forum: forumOf(r.forumId),
    accepted: r.acceptedPostId === r.postId,
  }));
}
