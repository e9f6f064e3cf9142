/**
 * Full-text search over the posts the public may see (the index holds nothing else: see
 * src/services/search-index.ts). One entry per topic: its best-matching post, a snippet with the
 * matched words marked, and how many other posts of the topic match.
 *
 * Ranking: a topic whose title is exactly the words searched for comes first; then bm25 with the
 * title weighted ten times the body. bm25's work grows with the posts it ranks, so only the
 * newest RANKED_POSTS matching posts are ranked (docs/decisions/012-search-ranking-bound.md);
 * the results say so when more posts match. With filters (forum:, is:, dates), the newest
 * VISITED_POSTS matching posts are looked at and the first RANKED_POSTS that pass are ranked;
 * `topic:` and `user:` walk that topic's or person's posts instead.
 *
 * Queries are never stored or logged.
 */
import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { forums, posts, topics, users } from '../../db/schema';
import {
  ftsMatch,
  ftsRankMatch,
  ftsString,
  positiveText,
  type SearchQuery,
  SearchSyntaxError,
} from '../content/search-query';
import type { AppDeps } from '../context';
import { MARK_END, MARK_START } from './search-index';

export const RESULTS_PER_PAGE = 20;
/** matching posts ranked at most (the bound of docs/decisions/012-search-ranking-bound.md) */
export const RANKED_POSTS = 1000;
/** matching posts looked at, at most, to find RANKED_POSTS that pass a query's filters */
export const VISITED_POSTS = 3000;
/** words around the matches in a snippet */
const SNIPPET_TOKENS = 32;

export type SearchHit = {
  topic: {
    id: number;
    title: string;
    /** the title with the matched words in <mark>, escaped */
    titleHtml: string;
    slug: string;
    kind: 'discussion' | 'question';
    answered: boolean;
    forum: { slug: string; name: string };
  };
  post: {
    id: number;
    number: number;
    createdAt: Date;
    author: string | null;
    /** text around the matched words, which are in <mark>; escaped */
    snippetHtml: string;
  };
  /** other posts of the topic that match too */
  moreMatches: number;
  /** the topic's title is exactly the words searched for */
  exactTitle: boolean;
};

export type SearchResults = {
  hits: SearchHit[];
  page: number;
  hasNext: boolean;
  /** topics found among the posts ranked */
  topicsFound: number;
  /** more posts match than were ranked: the results come from the newest of them */
  bounded: boolean;
};

type Row = Record<string, unknown>;

/**
 * A topic's title as an exact title match compares it (`topics_title_key_idx` indexes it), for
 * a topic `t`: without case (ASCII, as SQLite's lower()) and without the final punctuation.
 */
const TITLE_KEY = sql.raw(`lower(rtrim(t.title, ' .?!'))`);

/** The ids a query's forum: and user: name. @throws SearchSyntaxError when there is none */
async function resolveNames(deps: AppDeps, q: SearchQuery) {
  let forumId: number | undefined;
  let userId: number | undefined;
  if (q.filters.forum) {
    const forum = await deps.db
      .select({ id: forums.id })
      .from(forums)
      .where(eq(forums.slug, q.filters.forum))
      .get();
    if (!forum) {
      throw new SearchSyntaxError(
        `There is no forum at /f/${q.filters.forum}: check forum:, which takes the forum's address.`,
      );
    }
    forumId = forum.id;
  }
  if (q.filters.user) {
    const user = await deps.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.usernameKey, q.filters.user.toLowerCase()))
      .get();
    if (!user) throw new SearchSyntaxError(`There is no member called ${q.filters.user}.`);
    userId = user.id;
  }
  return { forumId, userId };
}

/** A query's filters on a post `p` and its topic `t`. */
function rowFilters(q: SearchQuery, ids: { forumId?: number; userId?: number }): SQL[] {
  const f = q.filters;
  const out: SQL[] = [];
  if (ids.forumId !== undefined) out.push(sql`t.forum_id = ${ids.forumId}`);
  if (ids.userId !== undefined) out.push(sql`p.user_id = ${ids.userId}`);
  if (f.topic !== undefined) out.push(sql`p.topic_id = ${f.topic}`);
  if (f.question) out.push(sql`t.kind = 'question'`);
  if (f.answered === true) out.push(sql`t.accepted_post_id is not null`);
  if (f.answered === false) out.push(sql`t.accepted_post_id is null`);
  if (f.before !== undefined) out.push(sql`p.created_at < ${f.before}`);
  if (f.after !== undefined) out.push(sql`p.created_at >= ${f.after}`);
  return out;
}

const where = (conditions: SQL[]) =>
  conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;

/**
 * Bounds on the index's rowids (= post ids, which grow with time) for before:/after:, so that the
 * walk starts at the right day instead of filtering its way there.
 */
function rowidBounds(q: SearchQuery): SQL[] {
  const first = (at: number) =>
    sql`(select id from posts where created_at >= ${at} order by created_at, id limit 1)`;
  const out: SQL[] = [];
  if (q.filters.after !== undefined) out.push(sql`rowid >= ${first(q.filters.after)}`);
  if (q.filters.before !== undefined) {
    out.push(sql`rowid < coalesce(${first(q.filters.before)}, 9223372036854775807)`);
  }
  return out;
}

/**
 * Searches.
 * @throws SearchSyntaxError when forum: or user: names nothing
 */
export async function searchPosts(
  deps: AppDeps,
  q: SearchQuery,
  page: number,
): Promise<SearchResults> {
  const ids = await resolveNames(deps, q);
  const match = ftsMatch(q);
  const relevance = q.order === 'relevance';
  const dir = q.order === 'oldest' ? sql`asc` : sql`desc`;
  const score = relevance ? sql`bm25(posts_fts, 10.0, 1.0)` : sql`0`;
  const filters = rowFilters(q, ids);
  const bounds = rowidBounds(q);
  const fts = sql`posts_fts match ${match}`;

  // Phrases and exclusions find the posts; their words alone rank them (see ftsRankMatch).
  const rank = sql`posts_fts match ${ftsRankMatch(q)}`;
  const simple = q.phrases.length === 0 && q.excluded.length === 0;
  let scored: SQL;
  let visited: SQL;
  let passing: SQL = sql`select 0 as id where 0`;
  if (filters.length === 0 && (simple || !relevance)) {
    // The newest matching posts, ranked as the index walks them.
    scored = sql`select rowid as post_id, ${score} as score from posts_fts
      where ${sql.join([fts, ...bounds], sql` and `)}
      order by rowid ${dir} limit ${RANKED_POSTS + 1}`;
    visited = sql`select post_id as id from scored`;
  } else {
    // A topic's or a person's posts are walked from their own index (those that match stay);
    // otherwise the newest matching posts. The first that pass the filters are ranked.
    const limit = filters.length ? VISITED_POSTS + 1 : RANKED_POSTS + 1;
    const matching = (ids: SQL) =>
      sql`select rowid as id from posts_fts where ${fts} and rowid in (${ids})`;
    const source =
      q.filters.topic !== undefined
        ? matching(sql`select id from posts where topic_id = ${q.filters.topic}
            order by number ${dir} limit ${limit}`)
        : ids.userId !== undefined
          ? matching(sql`select id from posts where user_id = ${ids.userId}
              order by created_at ${dir} limit ${limit}`)
          : sql`select rowid as id from posts_fts where ${sql.join([fts, ...bounds], sql` and `)}
              order by rowid ${dir} limit ${limit}`;
    visited = source;
    // CROSS JOIN keeps the walk in the visited posts' order: otherwise SQLite may start from a
    // forum's topics and read all their posts.
    passing = filters.length
      ? sql`select v.id as id from visited v cross join posts p on p.id = v.id
          cross join topics t on t.id = p.topic_id ${where(filters)} limit ${RANKED_POSTS + 1}`
      : sql`select id from visited limit ${RANKED_POSTS + 1}`;
    // One walk of the index over the passing posts' range: FTS5 would count each term's posts
    // again (for bm25) for every rowid of an IN list. The unary + keeps the list a filter.
    scored = sql`select rowid as post_id, ${score} as score from posts_fts
      where ${relevance ? rank : fts}
        and rowid >= (select min(id) from passing) and rowid <= (select max(id) from passing)
        and +rowid in (select id from passing)`;
  }

  // An exact title match comes first even when it is older than the posts ranked.
  const exactText = positiveText(q);
  const exact = relevance ? sql`lower(rtrim(t.title, ' .?!')) = lower(${exactText})` : sql`0`;
  // Looked up by the title's own index, so an old topic whose title is exactly the words still
  // comes first; its opening post must match the search (exclusions too).
  const exactHits = relevance
    ? sql`select t.first_post_id as post_id from topics t cross join posts p on p.id = t.first_post_id
        ${where([
          sql`${TITLE_KEY} = lower(${exactText})`,
          sql`t.state = 'visible' and t.removed_at is null`,
          sql`exists (select 1 from posts_fts f where posts_fts match ${match} and f.rowid = p.id)`,
          ...filters,
        ])}
        limit 20`
    : sql`select 0 as post_id where 0`;
  const best = relevance
    ? sql`h.post_id as post_id, min(h.score) as sort_key`
    : q.order === 'latest'
      ? sql`max(h.post_id) as post_id, -max(h.post_id) as sort_key`
      : sql`min(h.post_id) as post_id, min(h.post_id) as sort_key`;
  const offset = (page - 1) * RESULTS_PER_PAGE;
  const rows = await deps.db.all<Row>(sql`
    with visited as materialized (${visited}),
    passing as materialized (${passing}),
    scored as materialized (${scored}),
    exact_hits as materialized (${exactHits}),
    hits as (
      select post_id, score from scored
      union all
      select post_id, null from exact_hits where post_id not in (select post_id from scored)),
    grouped as (
      select p.topic_id as topic_id, ${best}, count(*) as matches
      from hits h join posts p on p.id = h.post_id group by p.topic_id)
    select g.post_id as post_id, g.matches as matches, ${exact} as exact,
      count(*) over () as topics_found,
      (select count(*) from scored) as ranked,
      (select count(*) from visited) as visited
    from grouped g join topics t on t.id = g.topic_id
    order by exact desc, g.sort_key, g.post_id desc
    limit ${RESULTS_PER_PAGE + 1} offset ${offset}`);
  const first = rows[0];
  const bounded =
    !!first && (Number(first.ranked) > RANKED_POSTS || Number(first.visited) > VISITED_POSTS);
  const pageRows = rows.slice(0, RESULTS_PER_PAGE);
  const hits = await describeHits(
    deps,
    match,
    pageRows.map((r) => ({
      postId: Number(r.post_id),
      moreMatches: Number(r.matches) - 1,
      exactTitle: Number(r.exact) === 1,
    })),
  );
  return {
    hits,
    page,
    hasNext: rows.length > RESULTS_PER_PAGE,
    topicsFound: first ? Number(first.topics_found) : 0,
    bounded,
  };
}

/** The page's hits with their topics, forums, authors and snippets, in the order given. */
async function describeHits(
  deps: AppDeps,
  match: string,
  found: { postId: number; moreMatches: number; exactTitle: boolean }[],
): Promise<SearchHit[]> {
  if (found.length === 0) return [];
  const postIds = found.map((f) => f.postId);
  const author = alias(users, 'author');
  const rows = await deps.db
    .select({
      postId: posts.id,
      number: posts.number,
      createdAt: posts.createdAt,
      author: author.username,
      topicId: topics.id,
      title: topics.title,
      slug: topics.slug,
      kind: topics.kind,
      acceptedPostId: topics.acceptedPostId,
      forumSlug: forums.slug,
      forumName: forums.name,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(author, eq(author.id, posts.userId))
    .where(inArray(posts.id, postIds));
  const marked = await deps.db.all<Row>(sql`
    select rowid as id,
      highlight(posts_fts, 0, ${MARK_START}, ${MARK_END}) as title,
      snippet(posts_fts, 1, ${MARK_START}, ${MARK_END}, '…', ${SNIPPET_TOKENS}) as snippet
    from posts_fts where posts_fts match ${match} and rowid in (${sql.join(
      postIds.map((id) => sql`${id}`),
      sql`, `,
    )})`);
  const byPost = new Map(rows.map((r) => [r.postId, r]));
  const marks = new Map(marked.map((m) => [Number(m.id), m]));
  return found.flatMap((f) => {
    const r = byPost.get(f.postId);
    if (!r) return [];
    const m = marks.get(f.postId);
    const titleMarked = typeof m?.title === 'string' && m.title ? m.title : '';
    return [
      {
        topic: {
          id: r.topicId,
          title: r.title,
          // The title column is indexed with the first post only.
          titleHtml: r.number === 1 && titleMarked ? markedHtml(titleMarked) : escapeHtml(r.title),
          slug: r.slug,
          kind: r.kind,
          answered: r.acceptedPostId !== null,
          forum: { slug: r.forumSlug, name: r.forumName },
        },
        post: {
          id: r.postId,
          number: r.number,
          createdAt: r.createdAt,
          author: r.author,
          snippetHtml: markedHtml(typeof m?.snippet === 'string' ? m.snippet : ''),
        },
        moreMatches: f.moreMatches,
        exactTitle: f.exactTitle,
      },
    ];
  });
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

/**
 * Text with FTS5's markers as HTML: escaped first, so that nothing from a post can become markup,
 * then the markers (which indexed text never holds: see indexedText) become <mark> elements,
 * always balanced.
 */
export function markedHtml(text: string): string {
  let open = false;
  let out = '';
  for (const part of escapeHtml(text).split(/([\uE000\uE001])/)) {
    if (part === MARK_START) {
      if (!open) out += '<mark>';
      open = true;
    } else if (part === MARK_END) {
      if (open) out += '</mark>';
      open = false;
    } else out += part;
  }
  return open ? `${out}</mark>` : out;
}

// --- similar topics --------------------------------------------------------------------------------

/** Words too common to say what a topic is about. */
// biome-ignore format: a word list
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'can', 'do', 'does', 'for', 'from',
  'has', 'have', 'how', 'i', 'if', 'in', 'is', 'it', 'its', 'my', 'no', 'not', 'of', 'on', 'or',
  'so', 'that', 'the', 'there', 'this', 'to', 'was', 'what', 'when', 'where', 'which', 'who',
  'why', 'will', 'with', 'you', 'your', 'we', 'me', 'any', 'anyone', 'after', 'get', 'way',
]);

export type SimilarTopic = { id: number; title: string; slug: string; answered: boolean };

/**
 * Topics whose titles share the most telling words with a new topic's title: the cheapest answer
 * is one that already exists. Ranked like search (bm25 over titles), among the newest titles
 * that share a word.
 */
export async function similarTopics(deps: AppDeps, title: string, limit = 5) {
  const words = [
    ...new Set(
      title
        .normalize('NFC')
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length > 1 && !STOP_WORDS.has(w)),
    ),
  ].slice(0, 8);
  if (words.length === 0) return [];
  const match = `{title} : (${words.map(ftsString).join(' OR ')})`;
  const rows = await deps.db.all<Row>(sql`
    with hits as materialized (
      select rowid as post_id, bm25(posts_fts, 10.0, 1.0) as score from posts_fts
      where posts_fts match ${match} order by rowid desc limit ${RANKED_POSTS})
    select t.id as id, t.title as title, t.slug as slug, t.accepted_post_id as accepted
    from hits h join posts p on p.id = h.post_id join topics t on t.id = p.topic_id
    where p.number = 1
    order by h.score limit ${limit}`);
  return rows.map(
    (r): SimilarTopic => ({
      id: Number(r.id),
      title: String(r.title),
      slug: String(r.slug),
      answered: r.accepted !== null,
    }),
  );
}
