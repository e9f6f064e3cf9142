/**
 * What the full-text index (posts_fts) holds for a post: the text readers see, the plain text of
 * the cooked HTML (no markdown signs, no link addresses), and the topic's title with its first
 * post. Only posts the public may see are in it (src/services/visibility.ts decides which).
 *
 * The plain text is made in JavaScript (SQLite cannot read HTML), so statements that put posts
 * back into the index read their HTML first and write the text in the batch with a guard: a row
 * goes in only if the post still has the HTML its text was made from and the public may see it
 * when the batch runs. A concurrent edit or removal wins; nothing stale or hidden gets in.
 */
import { and, asc, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { postsFts } from '../../db/fts';
import { posts, searchReindex, topics } from '../../db/schema';
import { plainText } from '../content/plain-text';
import type { AppDeps } from '../context';
import { publicPost, publicTopic } from './visibility';

type Db = AppDeps['db'];

/**
 * The markers the search page's snippets use (private-use characters, src/services/search.ts):
 * in indexed text they become U+FFFD, so that only FTS5 ever puts them into a snippet.
 */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const MARKERS = /[\uE000\uE001]/g;

/** The indexed text of a cooked post. */
export const indexedText = (html: string) =>
  plainText(html, Number.POSITIVE_INFINITY).replace(MARKERS, '\uFFFD');

/** The indexed title (the first post's row carries it). */
export const indexedTitle = (title: string) => title.replace(MARKERS, '\uFFFD');

/** The title column of a post's row, in SQL: the topic's title with its first post only. */
const titleColumn = sql<string>`case when ${posts.number} = 1 then replace(replace(${topics.title}, char(57344), char(65533)), char(57345), char(65533)) else '' end`;

/** The index row of a post being written now, in the same batch (a new topic or reply, an edit). */
export const indexPost = (db: Db, postId: SQL | number, title: string, html: string) =>
  db
    .insert(postsFts)
    .values({ rowid: postId, title: indexedTitle(title), body: indexedText(html) });

/** A post as read before a batch that (re)indexes it. */
type ReadPost = { id: number; html: string };

/**
 * D1 takes at most 100 bound parameters a statement: 16 posts use 80 (id, text and HTML, some
 * twice), and a topic of 2,000 posts makes 250 statements, within a Worker's query budget.
 */
const POSTS_PER_STATEMENT = 16;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `case posts.id when 1 then v1 when 2 then v2 … end` */
const byId = (rows: ReadPost[], value: (r: ReadPost) => string) =>
  sql`case ${posts.id} ${sql.join(
    rows.map((r) => sql`when ${r.id} then ${value(r)}`),
    sql` `,
  )} end`;

/**
 * The statements that give these posts their index rows anew, each only while the post has this
 * HTML when the batch runs (as read before it, or as written earlier in the same batch): the old
 * row leaves, and a new one (its text from that HTML) goes in if the public may see the post
 * (in a public topic) then.
 */
export function guardedIndexStatements(db: Db, rows: ReadPost[]) {
  return chunks(rows, POSTS_PER_STATEMENT).flatMap((part) => {
    const ids = part.map((r) => r.id);
    const unchanged = sql`${posts.bodyHtml} = ${byId(part, (r) => r.html)}`;
    return [
      db.delete(postsFts).where(
        inArray(
          postsFts.rowid,
          db
            .select({ id: posts.id })
            .from(posts)
            .where(and(inArray(posts.id, ids), unchanged)),
        ),
      ),
      db.insert(postsFts).select(
        db
          .select({
            rowid: posts.id,
            title: titleColumn.as('title'),
            body: sql<string>`${byId(part, (r) => indexedText(r.html))}`.as('body'),
          })
          .from(posts)
          .innerJoin(topics, eq(topics.id, posts.topicId))
          .where(and(inArray(posts.id, ids), unchanged, publicPost(), publicTopic())),
      ),
    ];
  });
}

/** The statement that takes the posts `which` selects (a condition on `posts`) out of the index. */
export function unindexPosts(db: Db, which: SQL) {
  return db
    .delete(postsFts)
    .where(inArray(postsFts.rowid, db.select({ id: posts.id }).from(posts).where(which)));
}

/**
 * The statements that make the index hold exactly the public ones among the posts `which`
 * selects, for a batch that changes whether they are public (restoring, approving): they are
 * read now, and each goes in again, with its current text, if it is public after the change and
 * was not edited meanwhile. Put them after the change in the batch.
 */
export async function reindexPosts(db: Db, which: SQL) {
  const rows = await db.select({ id: posts.id, html: posts.bodyHtml }).from(posts).where(which);
  return guardedIndexStatements(db, rows);
}

// --- rebuilding --------------------------------------------------------------------------------

/**
 * Rebuilding the index after its text changed meaning (it used to hold the markdown): the
 * migration that made the change left one `search_reindex` row with the range of post ids to
 * redo. Each step redoes the next `batchSize` posts of it in one batch, and moves the row on,
 * so a rebuild survives restarts and runs while the forum serves; posts written meanwhile are
 * indexed by the write itself. The row goes when the range is done.
 * @returns how many posts were looked at; 0 when there is nothing (left) to do
 */
export async function rebuildSearchIndexStep(deps: AppDeps, batchSize = 500): Promise<number> {
  const { db } = deps;
  const pending = await db.select().from(searchReindex).get();
  if (!pending) return 0;
  if (pending.nextPostId > pending.lastPostId) {
    await db.delete(searchReindex).where(eq(searchReindex.id, pending.id));
    return 0;
  }
  const rows = await db
    .select({ id: posts.id, html: posts.bodyHtml })
    .from(posts)
    .where(and(gt(posts.id, pending.nextPostId - 1), lte(posts.id, pending.lastPostId)))
    .orderBy(asc(posts.id))
    .limit(batchSize);
  const next = (rows[rows.length - 1]?.id ?? pending.lastPostId) + 1;
  const move = db
    .update(searchReindex)
    .set({ nextPostId: next })
    .where(eq(searchReindex.id, pending.id));
  // FTS5's secure-delete (migration 0004) rewrites the index's pages for every word of a row it
  // deletes, which makes a rebuild ten times slower. The rows replaced here hold public posts
  // whose words go straight back in, so the batch turns it off for itself and on again at its
  // end: no other write can come between (a batch is one transaction).
  await db.batch([
    move,
    db.run(sql`insert into posts_fts(posts_fts, rank) values('secure-delete', 0)`),
    ...guardedIndexStatements(db, rows),
    db.run(sql`insert into posts_fts(posts_fts, rank) values('secure-delete', 1)`),
  ]);
  return Math.max(1, rows.length);
}

/** Runs rebuild steps until the rebuild is done. @returns how many posts were redone */
export async function rebuildSearchIndex(
  deps: AppDeps,
  opts: { batchSize?: number; onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<number> {
  let done = 0;
  while (!opts.signal?.aborted) {
    const n = await rebuildSearchIndexStep(deps, opts.batchSize);
    if (n === 0) return done;
    done += n;
    opts.onProgress?.(done);
  }
  return done;
}
