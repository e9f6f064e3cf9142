/**
 * Reading forums: the index grouped by category, and a forum's topic list.
 * Every query here walks an index from its start (or from a cursor); none scans a table.
 */
import { and, asc, count, desc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { preparedPerDb } from '../../db/client';
import { forums, topics, users } from '../../db/schema';
import { FORUM_CATEGORIES, type ForumCategory } from '../../domain/words';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';
import { publicTopic } from './visibility';

export const TOPICS_PER_PAGE = 30;

export type ForumSummary = {
  id: number;
  slug: string;
  name: string;
  description: string;
  category: ForumCategory;
  archived: boolean;
  topicCount: number;
  postCount: number;
  lastPostAt: Date | null;
  lastPostId: number | null;
  lastTopic: { id: number; title: string; slug: string } | null;
  lastPoster: string | null;
};

export type ForumGroup = { category: ForumCategory; forums: ForumSummary[] };

const lastPosterOfForum = alias(users, 'last_poster');

/** Every forum with its latest topic and who wrote last there. */
const forumsWithLatest = preparedPerDb((db) =>
  db
    .select({
      forum: forums,
      topicTitle: topics.title,
      topicSlug: topics.slug,
      lastPoster: lastPosterOfForum.username,
    })
    .from(forums)
    // Only a topic the public may see is shown as a forum's latest, whatever the pointer says.
    .leftJoin(topics, and(eq(topics.id, forums.lastTopicId), publicTopic()))
    .leftJoin(lastPosterOfForum, eq(lastPosterOfForum.id, topics.lastPosterId))
    .orderBy(asc(forums.category), asc(forums.position), asc(forums.id))
    .prepare(),
);

export async function listForumGroups(deps: AppDeps): Promise<ForumGroup[]> {
  const rows = await forumsWithLatest(deps.db).all();
  const groups = FORUM_CATEGORIES.map((category) => ({
    category,
    forums: [] as ForumSummary[],
  }));
  for (const r of rows) {
    const f = r.forum;
    const lastTopic =
      f.lastTopicId && r.topicTitle && r.topicSlug
        ? { id: f.lastTopicId, title: r.topicTitle, slug: r.topicSlug }
        : null;
    groups
      .find((g) => g.category === f.category)
      ?.forums.push({
        id: f.id,
        slug: f.slug,
        name: f.name,
        description: f.description,
        category: f.category,
        archived: f.archived,
        topicCount: f.topicCount,
        postCount: f.postCount,
        lastPostAt: lastTopic ? f.lastPostAt : null,
        lastPostId: lastTopic ? f.lastPostId : null,
        lastTopic,
        lastPoster: lastTopic ? (r.lastPoster ?? null) : null,
      });
  }
  return groups.filter((g) => g.forums.length > 0);
}

export type Forum = typeof forums.$inferSelect;

/** @throws NotFoundError when no forum has this slug */
const forumBySlug = preparedPerDb((db) =>
  db
    .select()
    .from(forums)
    .where(eq(forums.slug, sql.placeholder('slug')))
    .prepare(),
);

export async function getForumBySlug(deps: AppDeps, slug: string): Promise<Forum> {
  const forum = await forumBySlug(deps.db).get({ slug });
  if (!forum) throw new NotFoundError('There is no forum at this address.');
  return forum;
}

export type TopicListItem = {
  id: number;
  title: string;
  slug: string;
  kind: 'discussion' | 'question';
  pinned: boolean;
  locked: boolean;
  answered: boolean;
  replyCount: number;
  createdAt: Date;
  lastPostAt: Date;
  lastPostId: number | null;
  author: string | null;
  lastPoster: string | null;
  /** a visible reply by staff of the vendor whose product the topic's forum is about */
  vendorReplied: boolean;
};

/**
 * Where a page of the list starts. Prev/next links carry the position of the neighbouring row
 * (a keyset cursor), so a page costs the same however deep it is; a bare `?page=N` (typed by
 * hand) falls back to skipping rows of the index.
 */
export type TopicCursor = { pinned: boolean; lastPostAt: number; id: number };

export function encodeCursor(c: TopicCursor): string {
  return `${c.pinned ? 1 : 0}.${c.lastPostAt}.${c.id}`;
}

export function decodeCursor(s: string | undefined): TopicCursor | undefined {
  const m = s?.match(/^([01])\.(\d{1,15})\.(\d{1,15})$/);
  if (!m) return undefined;
  return { pinned: m[1] === '1', lastPostAt: Number(m[2]), id: Number(m[3]) };
}

/** Lists of questions only: those still waiting for an accepted answer, or those with one. */
export const TOPIC_FILTERS = ['unanswered', 'answered'] as const;
export type TopicFilter = (typeof TOPIC_FILTERS)[number];

/**
 * The filter as SQL. `kind = 'question'` is written as a literal (not a bound parameter) so that
 * a partial index with the same WHERE clause can serve these lists once it exists.
 */
function filterCondition(filter: TopicFilter | undefined): SQL | undefined {
  if (!filter) return undefined;
  return and(
    sql`${topics.kind} = 'question'`,
    filter === 'answered' ? isNotNull(topics.acceptedPostId) : isNull(topics.acceptedPostId),
  );
}

export type TopicPageRequest = {
  page: number;
  /** only questions without (unanswered) or with (answered) an accepted answer */
  filter?: TopicFilter | undefined;
  /** the last row of the previous page (a "next" link) */
  after?: TopicCursor | undefined;
  /** the first row of the following page (a "previous" link) */
  before?: TopicCursor | undefined;
};

export type TopicPage = {
  topics: TopicListItem[];
  page: number;
  pageCount: number;
  next: TopicCursor | null;
  prev: TopicCursor | null;
};

const author = alias(users, 'author');
const lastPoster = alias(users, 'last_poster');

/** The columns of a topic list's rows (join `author` and `lastPoster` for the names). */
const listColumns = () => ({
  id: topics.id,
  title: topics.title,
  slug: topics.slug,
  kind: topics.kind,
  pinned: topics.pinned,
  locked: topics.locked,
  acceptedPostId: topics.acceptedPostId,
  postCount: topics.postCount,
  createdAt: topics.createdAt,
  lastPostAt: topics.lastPostAt,
  lastPostId: topics.lastPostId,
  author: author.username,
  lastPoster: lastPoster.username,
  // Only topics of product forums can have one: the lookup stops at the forum's row otherwise,
  // and at the first reply by the vendor's staff otherwise (posts by topic, then their links).
  vendorReplied: sql<number>`exists (
    select 1 from forums vf
    join products vp on vp.id = vf.product_id
    join posts vr on vr.topic_id = ${topics.id} and vr.number > 1 and vr.state = 'visible'
      and vr.deleted_at is null and vr.removed_at is null
    join identity_links vl on vl.user_id = vr.user_id and vl.vendor_id = vp.vendor_id
    where vf.id = ${topics.forumId}
  )`,
});

/** A row of a topic list as the list shows it. */
function listItem(r: {
  id: number;
  title: string;
  slug: string;
  kind: 'discussion' | 'question';
  pinned: boolean;
  locked: boolean;
  acceptedPostId: number | null;
  postCount: number;
  createdAt: Date;
  lastPostAt: Date;
  lastPostId: number | null;
  author: string | null;
  lastPoster: string | null;
  vendorReplied: number;
}): TopicListItem {
  return {
    id: r.id,
    title: r.title,
    slug: r.slug,
    kind: r.kind,
    pinned: r.pinned,
    locked: r.locked,
    answered: r.acceptedPostId !== null,
    replyCount: Math.max(0, r.postCount - 1),
    createdAt: r.createdAt,
    lastPostAt: r.lastPostAt,
    lastPostId: r.lastPostId,
    author: r.author,
    lastPoster: r.lastPoster,
    vendorReplied: !!r.vendorReplied,
  };
}

const cursorOf = (t: TopicListItem): TopicCursor => ({
  pinned: t.pinned,
  lastPostAt: t.lastPostAt.getTime(),
  id: t.id,
});

/** The sort key of the listing, as a row value matching `topics_forum_listing_idx`. */
const listingKey = sql`(${topics.pinned}, ${topics.lastPostAt}, ${topics.id})`;
const cursorValue = (c: TopicCursor) => sql`(${c.pinned ? 1 : 0}, ${c.lastPostAt}, ${c.id})`;

/**
 * A page of a forum's topics, pinned first, then by last activity. A filtered list walks the same
 * index (`topics_forum_listing_idx`) and skips what does not match; its page count is counted
 * along that index too.
 */
export async function listTopics(
  deps: AppDeps,
  forum: Forum,
  req: TopicPageRequest,
): Promise<TopicPage> {
  const filtered = filterCondition(req.filter);
  const total = filtered
    ? ((
        await deps.db
          .select({ n: count() })
          .from(topics)
          .where(and(eq(topics.forumId, forum.id), publicTopic(), filtered))
          .get()
      )?.n ?? 0)
    : forum.topicCount;
  const pageCount = Math.max(1, Math.ceil(total / TOPICS_PER_PAGE));
  const page = Math.min(Math.max(1, req.page), pageCount);
  const where: (SQL | undefined)[] = [
    eq(topics.forumId, forum.id),
    // Topics held for approval are seen from their own page by their author and moderators.
    publicTopic(),
    filtered,
  ];
  let reverse = false;
  let offset = 0;
  if (req.after) {
    where.push(sql`${listingKey} < ${cursorValue(req.after)}`);
  } else if (req.before) {
    where.push(sql`${listingKey} > ${cursorValue(req.before)}`);
    reverse = true;
  } else {
    offset = (page - 1) * TOPICS_PER_PAGE;
  }
  const order = reverse
    ? [asc(topics.pinned), asc(topics.lastPostAt), asc(topics.id)]
    : [desc(topics.pinned), desc(topics.lastPostAt), desc(topics.id)];
  const rows = await deps.db
    .select(listColumns())
    .from(topics)
    .leftJoin(author, eq(author.id, topics.userId))
    .leftJoin(lastPoster, eq(lastPoster.id, topics.lastPosterId))
    .where(and(...where))
    .orderBy(...order)
    .limit(TOPICS_PER_PAGE)
    .offset(offset);
  if (reverse) rows.reverse();
  const items = rows.map(listItem);
  const first = items[0];
  const last = items[items.length - 1];
  return {
    topics: items,
    page,
    pageCount,
    next: page < pageCount && last ? cursorOf(last) : null,
    prev: page > 1 && first ? cursorOf(first) : null,
  };
}

export type LatestTopic = TopicListItem & { forum: { slug: string; name: string } };

export type LatestPage = {
  topics: LatestTopic[];
  page: number;
  /** null for the open questions, whose number is not counted (that would read them all) */
  pageCount: number | null;
  next: TopicCursor | null;
  prev: TopicCursor | null;
};

/**
 * `/latest`: the public topics of every forum by last activity, or (`unanswered`) the questions
 * of the product forums still waiting for an accepted answer: where vendors and helpful
 * customers look. Walks `topics_latest_idx` or `topics_latest_unanswered_idx` from a keyset
 * cursor, a page at a time; the page count of all topics comes from the forums' counters.
 */
export async function listLatestTopics(
  deps: AppDeps,
  req: { page: number; unanswered: boolean; after?: TopicCursor; before?: TopicCursor },
): Promise<LatestPage> {
  // The unary + keeps SQLite from reading the list by forum and sorting it: the walk of the
  // open questions' index, newest first, is what stops at a page.
  const productForums = sql`+${topics.forumId} in (select id from forums where product_id is not null)`;
  const open = req.unanswered
    ? and(sql`${topics.kind} = 'question'`, isNull(topics.acceptedPostId), productForums)
    : undefined;
  const total = req.unanswered
    ? null
    : ((
        await deps.db
          .select({ n: sql<number>`coalesce(sum(${forums.topicCount}), 0)` })
          .from(forums)
          .get()
      )?.n ?? 0);
  const pageCount = total === null ? null : Math.max(1, Math.ceil(total / TOPICS_PER_PAGE));
  const page = Math.max(1, pageCount === null ? req.page : Math.min(req.page, pageCount));
  const key = sql`(${topics.lastPostAt}, ${topics.id})`;
  const at = (c: TopicCursor) => sql`(${c.lastPostAt}, ${c.id})`;
  const reverse = !req.after && !!req.before;
  const rows = await deps.db
    .select({ ...listColumns(), forumSlug: forums.slug, forumName: forums.name })
    .from(topics)
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(author, eq(author.id, topics.userId))
    .leftJoin(lastPoster, eq(lastPoster.id, topics.lastPosterId))
    .where(
      and(
        publicTopic(),
        open,
        req.after ? sql`${key} < ${at(req.after)}` : undefined,
        reverse && req.before ? sql`${key} > ${at(req.before)}` : undefined,
      ),
    )
    .orderBy(
      ...(reverse
        ? [asc(topics.lastPostAt), asc(topics.id)]
        : [desc(topics.lastPostAt), desc(topics.id)]),
    )
    .limit(TOPICS_PER_PAGE + 1)
    .offset(req.after || req.before ? 0 : (page - 1) * TOPICS_PER_PAGE);
  // One row more than a page says whether there is another page in the walk's direction.
  const more = rows.length > TOPICS_PER_PAGE;
  if (more) rows.pop();
  if (reverse) rows.reverse();
  const items = rows.map((r) => ({
    ...listItem(r),
    pinned: false,
    forum: { slug: r.forumSlug, name: r.forumName },
  }));
  const first = items[0];
  const last = items[items.length - 1];
  return {
    topics: items,
    page,
    pageCount,
    next: (reverse || more) && last ? cursorOf(last) : null,
    prev: page > 1 && first ? cursorOf(first) : null,
  };
}
