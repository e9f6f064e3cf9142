/**
 * Writing posts: new topics, replies, edits (every edit keeps the replaced text as a revision),
 * deletion by the author. Each write is one `db.batch`, atomic on libSQL and D1: the post, the
 * topic's, forum's and author's counters and the search index change together or not at all.
 *
 * `startTopic`, `reply` and `editPost` apply the forum's rules (permissions, the one-time
 * public-content acknowledgement, posting limits, the personal-data check) and then write with
 * `createTopic`/`createReply`, which the demo content uses directly.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { postsFts } from '../../db/fts';
import { forums, postRevisions, posts, topics, users, watchedWords } from '../../db/schema';
import type { TopicKind } from '../../domain/words';
import { COOK_VERSION, cook } from '../content/cook';
import { findPersonalData } from '../content/personal-data';
import { slugify } from '../content/slug';
import { matchWatchedWords } from '../content/watched-words';
import type { AppDeps } from '../context';
import { ConflictError, FormError, NotFoundError, PersonalDataFound } from '../errors';
import {
  type Actor,
  requireEditPost,
  requireReply,
  requireStartTopic,
  type TopicFacts,
} from '../policy';
import { postingLimitsFor } from '../policy/posting-limits';
import { hasBought } from './badges';
import { indexPost } from './search-index';
import { publicPost, publicTopic } from './visibility';

/** The id SQLite gave the row most recently inserted in this batch (same connection). */
const lastInsertId = sql<number>`last_insert_rowid()`;

type Db = AppDeps['db'];

const unindexPost = (db: Db, postId: number) =>
  db.delete(postsFts).where(eq(postsFts.rowid, postId));

export type NewTopic = {
  forumId: number;
  authorId: number;
  title: string;
  body: string;
  kind: TopicKind;
  /** the author acknowledged now that posts are public */
  publicAck?: boolean;
  /** the author chose to show the verified-buyer badge on this post (see services/badges.ts) */
  showBuyerBadge?: boolean;
  /**
   * Waits for a moderator's approval: seen by its author and moderators only, and counted
   * (forum, author, search) only once approved (services/approval.ts).
   */
  held?: boolean;
};

export type Created = {
  topicId: number;
  postId: number;
  number: number;
  slug: string;
  held: boolean;
};

/** Writes a topic and its first post. Input must already be validated and allowed. */
export async function createTopic(deps: AppDeps, input: NewTopic): Promise<Created> {
  const { db } = deps;
  const at = new Date(deps.now());
  const slug = slugify(input.title);
  const bodyHtml = cook(input.body, deps.cook);
  const held = !!input.held;
  const [[topic], [post]] = await db.batch([
    db
      .insert(topics)
      .values({
        forumId: input.forumId,
        userId: input.authorId,
        title: input.title,
        slug,
        kind: input.kind,
        state: held ? 'held' : 'visible',
        postCount: 1,
        highestNumber: 1,
        lastPosterId: input.authorId,
        lastPostAt: at,
        createdAt: at,
      })
      .returning({ id: topics.id }),
    db
      .insert(posts)
      .values({
        topicId: lastInsertId,
        number: 1,
        userId: input.authorId,
        bodyMarkdown: input.body,
        bodyHtml,
        cookVersion: COOK_VERSION,
        state: held ? 'held' : 'visible',
        showBuyerBadge: input.showBuyerBadge ?? false,
        createdAt: at,
      })
      .returning({ id: posts.id }),
    db
      .update(topics)
      .set({ firstPostId: lastInsertId, lastPostId: lastInsertId })
      .where(sql`${topics.id} = (select topic_id from posts where id = last_insert_rowid())`),
    authorPosted(db, input.authorId, at, { publicAck: input.publicAck, counted: !held }),
    ...(held
      ? []
      : [
          db
            .update(forums)
            .set({
              topicCount: sql`${forums.topicCount} + 1`,
              postCount: sql`${forums.postCount} + 1`,
              lastPostId: lastInsertId,
              lastTopicId: sql`(select topic_id from posts where id = last_insert_rowid())`,
              lastPostAt: at,
            })
            .where(eq(forums.id, input.forumId)),
          indexPost(db, lastInsertId, input.title, bodyHtml),
        ]),
  ]);
  if (!topic || !post) throw new Error('topic insert returned no row');
  return { topicId: topic.id, postId: post.id, number: 1, slug, held };
}

/** The author's counters: a held post counts once approved; the posting interval counts now. */
function authorPosted(
  db: Db,
  authorId: number,
  at: Date,
  opts: { publicAck: boolean | undefined; counted: boolean },
) {
  return db
    .update(users)
    .set({
      ...(opts.counted ? { postCount: sql`${users.postCount} + 1` } : {}),
      lastPostedAt: at,
      ...(opts.publicAck
        ? { publicAckAt: sql`coalesce(${users.publicAckAt}, ${at.getTime()})` }
        : {}),
    })
    .where(eq(users.id, authorId));
}

export type NewReply = {
  topicId: number;
  authorId: number;
  body: string;
  publicAck?: boolean;
  /** the author chose to show the verified-buyer badge on this post (see services/badges.ts) */
  showBuyerBadge?: boolean;
  /** staff may reply to locked topics */
  allowLocked?: boolean;
  /** waits for a moderator's approval (see NewTopic.held) */
  held?: boolean;
};

/**
 * Writes a reply at the end of a topic. The post number comes from the topic's counter inside
 * the same batch, so concurrent replies never share a number. A held reply takes its number but
 * leaves the topic's and forum's counters and "last post" alone until it is approved.
 * @throws ConflictError when the topic is locked, removed or held by the time the batch runs
 */
export async function createReply(deps: AppDeps, input: NewReply): Promise<Created> {
  const { db } = deps;
  const at = new Date(deps.now());
  const bodyHtml = cook(input.body, deps.cook);
  const held = !!input.held;
  const topicForum = sql`(select forum_id from topics where id = ${input.topicId})`;
  try {
    const [, [post], [topic]] = await db.batch([
      // When the topic cannot take replies this matches nothing, the number below repeats an
      // existing one, and the unique (topic_id, number) index aborts the whole batch.
      db
        .update(topics)
        .set({
          highestNumber: sql`${topics.highestNumber} + 1`,
          ...(held
            ? {}
            : {
                postCount: sql`${topics.postCount} + 1`,
                lastPosterId: input.authorId,
                lastPostAt: at,
              }),
        })
        .where(
          and(
            eq(topics.id, input.topicId),
            input.allowLocked ? undefined : eq(topics.locked, false),
            publicTopic(),
          ),
        ),
      db
        .insert(posts)
        .values({
          topicId: input.topicId,
          number: sql`(select highest_number from topics where id = ${input.topicId})`,
          userId: input.authorId,
          bodyMarkdown: input.body,
          bodyHtml,
          cookVersion: COOK_VERSION,
          state: held ? 'held' : 'visible',
          showBuyerBadge: input.showBuyerBadge ?? false,
          createdAt: at,
        })
        .returning({ id: posts.id, number: posts.number }),
      db.select({ slug: topics.slug }).from(topics).where(eq(topics.id, input.topicId)),
      authorPosted(db, input.authorId, at, { publicAck: input.publicAck, counted: !held }),
      ...(held
        ? []
        : [
            db.update(topics).set({ lastPostId: lastInsertId }).where(eq(topics.id, input.topicId)),
            db
              .update(forums)
              .set({
                postCount: sql`${forums.postCount} + 1`,
                lastPostId: lastInsertId,
                lastTopicId: input.topicId,
                lastPostAt: at,
              })
              .where(sql`${forums.id} = ${topicForum}`),
            indexPost(db, lastInsertId, '', bodyHtml),
          ]),
    ]);
    if (!post || !topic) throw new Error('reply insert returned no row');
    return { topicId: input.topicId, postId: post.id, number: post.number, slug: topic.slug, held };
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('This topic no longer takes replies.');
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed/i.test(String((e as Error).message ?? e))) return true;
  }
  return false;
}

/** The signed-in author, as the posting rules need them. */
export type Author = NonNullable<Actor> & {
  publicAckAt: Date | null;
  lastPostedAt: Date | null;
  /** a moderator holds this account's new posts for approval */
  postsNeedApproval?: boolean;
};

export type Draft = {
  body: string;
  /** "I understand my posts are public", ticked in this submission */
  publicAck: boolean;
  /** post although personal data was detected */
  postAnyway: boolean;
  /** show the verified-buyer badge on this post (the `show_buyer_badge` box) */
  showBuyerBadge?: boolean;
};

/**
 * The rules every new post passes before it is written.
 * @throws FormError (public acknowledgement missing, too many links: 422; too soon: 429)
 * @throws PersonalDataFound when the body looks like it holds personal data and the author has
 *   not chosen to post anyway
 */
async function checkNewPost(
  deps: AppDeps,
  author: Author,
  draft: Draft & { title?: string },
  html: string,
): Promise<{ held: boolean }> {
  if (!author.publicAckAt && !draft.publicAck) {
    throw new FormError({
      public_ack:
        'Please confirm that you understand your posts are public before your first post.',
    });
  }
  const now = deps.now();
  // What the author can fix comes first; waiting is asked for last, once the text is right.
  checkLinks(author, html, now);
  const words = await watchedWordsIn(deps, draft);
  if (words.blocked.length > 0) throw blockedWords(words.blocked);
  checkPersonalData(draft);
  const limits = postingLimitsFor(author, now);
  const since = author.lastPostedAt
    ? now - author.lastPostedAt.getTime()
    : Number.POSITIVE_INFINITY;
  if (since < limits.intervalMs) {
    const wait = Math.ceil((limits.intervalMs - since) / 1000);
    throw new FormError(
      {
        form: `You are posting too quickly. Please wait ${wait} second${wait === 1 ? '' : 's'} and post again; your text is kept below.`,
      },
      429,
      wait,
    );
  }
  // A moderator holds this account's posts, or the text has a word that needs approval.
  return { held: !!author.postsNeedApproval || words.held.length > 0 };
}

async function watchedWordsIn(deps: AppDeps, draft: { body: string; title?: string }) {
  const words = await deps.db
    .select({ word: watchedWords.word, action: watchedWords.action })
    .from(watchedWords);
  return matchWatchedWords(`${draft.title ?? ''}\n${draft.body}`, words);
}

function blockedWords(found: string[]) {
  return new FormError({
    body: `This forum does not accept posts with ${found.map((w) => `“${w}”`).join(', ')}. Please change your text.`,
  });
}

function checkLinks(author: Author, html: string, now: number) {
  const { maxLinks } = postingLimitsFor(author, now);
  const links = html.match(/<a\s/g)?.length ?? 0;
  if (links > maxLinks) {
    throw new FormError({
      body: `New accounts can include at most ${maxLinks} links in a post during their first day; this one has ${links}.`,
    });
  }
}

function checkPersonalData(draft: Pick<Draft, 'body' | 'postAnyway'>) {
  if (draft.postAnyway) return;
  const findings = findPersonalData(draft.body);
  if (findings.length > 0) throw new PersonalDataFound(findings);
}

export type TopicDraft = Draft & { title: string; kind: TopicKind };

/**
 * The badge choice that is stored with a new post: only a buyer of the forum's product can make
 * it (the box is offered to nobody else; a box sent anyway is ignored).
 */
async function buyerBadgeToStore(
  deps: AppDeps,
  author: Author,
  productId: number | null,
  draft: Draft,
): Promise<boolean> {
  return !!draft.showBuyerBadge && (await hasBought(deps, author.id, productId));
}

/**
 * Starts a topic in a forum for a signed-in author.
 * @throws ForbiddenError, FormError, PersonalDataFound (see checkNewPost)
 */
export async function startTopic(
  deps: AppDeps,
  author: Author,
  forum: { id: number; archived: boolean; productId: number | null },
  draft: TopicDraft,
): Promise<Created> {
  requireStartTopic(author, forum, deps.now());
  const { held } = await checkNewPost(deps, author, draft, cook(draft.body, deps.cook));
  return createTopic(deps, {
    held,
    forumId: forum.id,
    authorId: author.id,
    title: draft.title,
    body: draft.body,
    kind: draft.kind,
    publicAck: draft.publicAck,
    showBuyerBadge: await buyerBadgeToStore(deps, author, forum.productId, draft),
  });
}

/**
 * Replies to a topic for a signed-in author.
 * @throws ForbiddenError, FormError, PersonalDataFound, ConflictError
 */
export async function reply(
  deps: AppDeps,
  author: Author,
  topic: TopicFacts & { id: number; forum: { productId: number | null } },
  draft: Draft,
): Promise<Created> {
  requireReply(author, topic, deps.now());
  const { held } = await checkNewPost(deps, author, draft, cook(draft.body, deps.cook));
  return createReply(deps, {
    held,
    topicId: topic.id,
    authorId: author.id,
    body: draft.body,
    publicAck: draft.publicAck,
    showBuyerBadge: await buyerBadgeToStore(deps, author, topic.forum.productId, draft),
    allowLocked: topic.locked,
  });
}

/** What the Preview button shows: the post exactly as it would be cooked. Writes nothing. */
export function previewPost(deps: AppDeps, body: string): string {
  return cook(body, deps.cook);
}

export type PostForEdit = typeof posts.$inferSelect & {
  topic: TopicFacts & { id: number; title: string; slug: string; forumId: number };
};

/** A post with its topic and forum facts, for editing, deleting and its history. */
export async function getPost(deps: AppDeps, postId: number): Promise<PostForEdit> {
  const row = await deps.db
    .select({
      post: posts,
      topic: {
        id: topics.id,
        title: topics.title,
        slug: topics.slug,
        locked: topics.locked,
        removedAt: topics.removedAt,
        forumId: topics.forumId,
      },
      archived: forums.archived,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || row.topic.removedAt) throw new NotFoundError('There is no post at this address.');
  return { ...row.post, topic: { ...row.topic, forum: { archived: row.archived } } };
}

/**
 * Replaces a post's text, keeping the replaced text as a revision.
 * @throws ForbiddenError, FormError (links), PersonalDataFound
 */
export async function editPost(
  deps: AppDeps,
  author: Author,
  post: PostForEdit,
  draft: Pick<Draft, 'body' | 'postAnyway'>,
): Promise<void> {
  const now = deps.now();
  requireEditPost(author, post, post.topic, now);
  if (draft.body === post.bodyMarkdown) return;
  const bodyHtml = cook(draft.body, deps.cook);
  checkLinks(author, bodyHtml, now);
  const words = await watchedWordsIn(deps, draft);
  if (words.blocked.length > 0) throw blockedWords(words.blocked);
  if (words.held.length > 0 && post.state === 'visible') {
    // An edit does not send a published post back to the approval queue: it is refused instead.
    throw new FormError({
      body: `Posts with ${words.held.map((w) => `“${w}”`).join(', ')} need a moderator's approval first. Please change your text, or write a new post.`,
    });
  }
  checkPersonalData(draft);
  const { db } = deps;
  const at = new Date(now);
  const visible = post.state === 'visible';
  await db.batch([
    db.insert(postRevisions).values({
      postId: post.id,
      number: post.revisionCount + 1,
      bodyMarkdown: post.bodyMarkdown,
      bodyHtml: post.bodyHtml,
      editorId: author.id,
      createdAt: post.editedAt ?? post.createdAt,
    }),
    db
      .update(posts)
      .set({
        bodyMarkdown: draft.body,
        bodyHtml,
        cookVersion: COOK_VERSION,
        editedAt: at,
        revisionCount: sql`${posts.revisionCount} + 1`,
      })
      .where(eq(posts.id, post.id)),
    unindexPost(db, post.id),
    ...(visible
      ? [indexPost(db, post.id, post.number === 1 ? post.topic.title : '', bodyHtml)]
      : []),
  ]);
}

/**
 * The author deletes their post: it keeps its place in the thread as "deleted by its author",
 * its text leaves the page and the search index.
 */
export async function deletePost(deps: AppDeps, author: Author, post: PostForEdit): Promise<void> {
  requireEditPost(author, post, post.topic, deps.now());
  const { db } = deps;
  await db.batch([
    db
      .update(posts)
      .set({ deletedAt: new Date(deps.now()) })
      .where(eq(posts.id, post.id)),
    db
      .update(users)
      .set({ postCount: sql`max(${users.postCount} - 1, 0)` })
      .where(eq(users.id, author.id)),
    // A deleted reply is no longer anyone's answer: its question is open again.
    db
      .update(topics)
      .set({ acceptedPostId: null, acceptedById: null, acceptedAt: null })
      .where(and(eq(topics.id, post.topicId), eq(topics.acceptedPostId, post.id))),
    unindexPost(db, post.id),
  ]);
}

export type Revision = { number: number; bodyHtml: string; createdAt: Date; current: boolean };

/** Every version of a post, newest first; the first entry is the current text. */
export async function listRevisions(deps: AppDeps, post: PostForEdit): Promise<Revision[]> {
  const older = await deps.db
    .select({
      number: postRevisions.number,
      bodyHtml: postRevisions.bodyHtml,
      createdAt: postRevisions.createdAt,
    })
    .from(postRevisions)
    .where(eq(postRevisions.postId, post.id))
    .orderBy(desc(postRevisions.number));
  return [
    {
      number: post.revisionCount + 1,
      bodyHtml: post.bodyHtml,
      createdAt: post.editedAt ?? post.createdAt,
      current: true,
    },
    ...older.map((r) => ({ ...r, current: false })),
  ];
}

/** The markdown a Quote link puts in the reply box. */
export async function quoteOf(deps: AppDeps, topicId: number, postId: number): Promise<string> {
  const row = await deps.db
    .select({ body: posts.bodyMarkdown, number: posts.number, username: users.username })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.userId))
    .where(and(eq(posts.id, postId), eq(posts.topicId, topicId), publicPost()))
    .get();
  if (!row) throw new NotFoundError('That post cannot be quoted.');
  const quoted = row.body
    .trim()
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
  return `${row.username ?? 'A deleted user'} wrote in [#${row.number}](/p/${postId}):\n\n${quoted}\n\n`;
}
