/**
 * Writing posts: new topics, replies, edits (every edit keeps the replaced text as a revision),
 * deletion by the author. Each write is one `db.batch`, atomic on libSQL and D1: the post, the
 * topic's, forum's and author's counters and the search index change together or not at all.
 *
 * `startTopic`, `reply` and `editPost` apply the forum's rules (permissions, the one-time
 * public-content acknowledgement, posting limits, the cooking budget, links, watched words, the
 * personal-data check), cheapest first, and then write with `createTopic`/`createReply`, which
 * the demo content uses directly. Each submission is cooked once; an edit that needs a
 * moderator's approval waits as a pending edit (services/approval.ts).
 */
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { postsFts } from '../../db/fts';
import {
  forums,
  pendingEdits,
  postRevisions,
  posts,
  topics,
  users,
  watchedWords,
} from '../../db/schema';
import type { TopicKind } from '../../domain/words';
import { COOK_VERSION, type Cooked, cook, cookCounted, UncookableMarkdown } from '../content/cook';
import { findPersonalData } from '../content/personal-data';
import { slugify } from '../content/slug';
import { matchPostWords } from '../content/watched-words';
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
import { mentionNames } from './mentions';
import { newestPostOf, notificationJobOf } from './notifications';
import { indexPost } from './search-index';
import { publicPost, publicTopic } from './visibility';
import { authorWatches, replierTracks } from './watching';

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
  /** more statements for the topic's batch (given the new topic's id), when it is not held */
  also?: TopicAlso;
  /** `body` already cooked (the posting rules cook it once); cooked here when absent */
  bodyHtml?: string;
};

/** Statements that happen with a new topic (an announcement's mailing), in its batch. */
export type TopicAlso = (topicId: SQL<number>) => BatchItem<'sqlite'>[];

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
  const bodyHtml = input.bodyHtml ?? cook(input.body, deps.cook);
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
          notificationJobOf(db, newestPostOf(input.authorId), at),
          // The author's newest topic is the one this batch wrote.
          ...(input.also?.(
            sql<number>`(select max(${topics.id}) from ${topics} where ${topics.userId} = ${input.authorId})`,
          ) ?? []),
        ]),
    // The author watches their topic (held or not: it is theirs once approved). Last: it moves
    // last_insert_rowid().
    authorWatches(
      db,
      input.authorId,
      sql<number>`(select max(${topics.id}) from ${topics} where ${topics.userId} = ${input.authorId})`,
      at,
    ),
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
  /** `body` already cooked (see NewTopic.bodyHtml) */
  bodyHtml?: string;
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
  const bodyHtml = input.bodyHtml ?? cook(input.body, deps.cook);
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
            notificationJobOf(db, newestPostOf(input.authorId), at),
          ]),
      // A replier tracks the topic unless they chose a level for it. Last: it moves
      // last_insert_rowid().
      replierTracks(db, input.authorId, input.topicId, at),
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
 * The rules every new post passes before it is written, cheapest first: a refusal for posting
 * too soon must cost almost nothing, so it comes before the text is even cooked.
 * @throws FormError (public acknowledgement missing: 422; too soon: 429; see checkText)
 * @throws PersonalDataFound (see checkText)
 */
async function checkNewPost(
  deps: AppDeps,
  author: Author,
  draft: Draft & { title?: string },
): Promise<CheckedText> {
  if (!author.publicAckAt && !draft.publicAck) {
    throw new FormError({
      public_ack:
        'Please confirm that you understand your posts are public before your first post.',
    });
  }
  const now = deps.now();
  const limits = postingLimitsFor(author, now);
  const since = author.lastPostedAt
    ? now - author.lastPostedAt.getTime()
    : Number.POSITIVE_INFINITY;
  if (since < limits.intervalMs) {
    throw tooSoon('You are posting too quickly', Math.ceil((limits.intervalMs - since) / 1000));
  }
  return checkText(deps, author, draft);
}

/**
 * Previews and edits cook a post as a new post does, without the posting interval: the work
 * they spend comes out of an allowance per account and minute instead. Returns what spends it.
 * @throws FormError (429) when the author's allowance for this minute is spent
 */
function cookingAllowance(deps: AppDeps, author: Author): (units: number) => void {
  const key = String(author.id);
  const verdict = deps.limits.cookingPerAccount.check(key);
  if (!verdict.ok) {
    throw tooSoon(
      'You have previewed and edited a lot in the last minute',
      verdict.retryAfterSeconds,
    );
  }
  return (units) => {
    deps.limits.cookingPerAccount.hit(key, units);
  };
}

/** A 429 that says how long to wait, the text kept. */
const tooSoon = (what: string, wait: number) =>
  new FormError(
    {
      form: `${what}. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again; your text is kept below.`,
    },
    429,
    wait,
  );

/**
 * Cooks a draft once, within the cooking budget, with its mentions of members as links; `spend`
 * is given the work it took.
 * @throws FormError (422) when the markdown would cost far more than a post of its length
 */
async function cookDraft(
  deps: AppDeps,
  body: string,
  spend?: (units: number) => void,
): Promise<Cooked> {
  const names = await mentionNames(deps, body);
  try {
    const cooked = cookCounted(body, deps.cook, names);
    spend?.(cooked.units);
    return cooked;
  } catch (err) {
    if (!(err instanceof UncookableMarkdown)) throw err;
    spend?.(err.units);
    throw new FormError({ body: err.explanation });
  }
}

/** A draft's text, cooked, and whether a watched word holds it for approval. */
type CheckedText = { bodyHtml: string; holdWords: boolean };

/**
 * The rules for the text of a post or an edit: the cooking budget, links, watched words (in
 * the text as written and as it reads once cooked), personal data.
 * @throws FormError (422: too costly to cook, too many links, a watched word that blocks)
 * @throws PersonalDataFound when the body looks like it holds personal data and the author has
 *   not chosen to post anyway
 */
async function checkText(
  deps: AppDeps,
  author: Author,
  draft: Pick<Draft, 'body' | 'postAnyway'> & { title?: string },
  spend?: (units: number) => void,
): Promise<CheckedText> {
  const { html: bodyHtml, mentioned } = await cookDraft(deps, draft.body, spend);
  checkLinks(author, bodyHtml, deps.now());
  checkMentions(author, mentioned, deps.now());
  const words = await watchedWordsIn(deps, draft, bodyHtml);
  if (words.blocked.length > 0) throw blockedWords(words.blocked);
  checkPersonalData(draft);
  return { bodyHtml, holdWords: words.held.length > 0 };
}

/** Watched words in the title and the body, as written and as cooked (see matchPostWords). */
async function watchedWordsIn(
  deps: AppDeps,
  draft: { body: string; title?: string },
  bodyHtml: string,
) {
  const words = await deps.db
    .select({ word: watchedWords.word, action: watchedWords.action })
    .from(watchedWords);
  return matchPostWords({ ...draft, bodyHtml }, words);
}

function blockedWords(found: string[]) {
  return new FormError({
    body: `This forum does not accept posts with ${found.map((w) => `“${w}”`).join(', ')}. Please change your text.`,
  });
}

function checkMentions(author: Author, mentioned: string[], now: number) {
  const { maxMentions } = postingLimitsFor(author, now);
  if (mentioned.length > maxMentions) {
    throw new FormError({
      body: `A post can mention at most ${maxMentions} people${maxMentions < 10 ? ' during an account’s first day' : ''}; this one mentions ${mentioned.length}. Please mention fewer.`,
    });
  }
}

function checkLinks(author: Author, html: string, now: number) {
  const { maxLinks } = postingLimitsFor(author, now);
  // Mentions link a profile of this forum: they are counted on their own (checkMentions).
  const links = (html.match(/<a\s/g)?.length ?? 0) - (html.match(/ class="mention"/g)?.length ?? 0);
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

export type TopicDraft = Draft & { title: string; kind: TopicKind; also?: TopicAlso };

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
  const { bodyHtml, holdWords } = await checkNewPost(deps, author, draft);
  const created = await createTopic(deps, {
    // A moderator holds this account's posts, or the text has a word that needs approval.
    held: !!author.postsNeedApproval || holdWords,
    bodyHtml,
    forumId: forum.id,
    authorId: author.id,
    title: draft.title,
    body: draft.body,
    kind: draft.kind,
    publicAck: draft.publicAck,
    showBuyerBadge: await buyerBadgeToStore(deps, author, forum.productId, draft),
    also: draft.also,
  });
  if (!created.held) deps.notify.nudge();
  return created;
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
  const { bodyHtml, holdWords } = await checkNewPost(deps, author, draft);
  const created = await createReply(deps, {
    held: !!author.postsNeedApproval || holdWords,
    bodyHtml,
    topicId: topic.id,
    authorId: author.id,
    body: draft.body,
    publicAck: draft.publicAck,
    showBuyerBadge: await buyerBadgeToStore(deps, author, topic.forum.productId, draft),
    allowLocked: topic.locked,
  });
  if (!created.held) deps.notify.nudge();
  return created;
}

/**
 * What the Preview button shows: the post exactly as it would be cooked. Writes nothing.
 * @throws FormError (429: the allowance for previews and edits is spent; 422: too costly to
 *   cook)
 */
export async function previewPost(deps: AppDeps, author: Author, body: string): Promise<string> {
  return (await cookDraft(deps, body, cookingAllowance(deps, author))).html;
}

/** An edit waiting for a moderator's approval (services/approval.ts). */
export type PendingEdit = { id: number; bodyMarkdown: string; createdAt: Date };

export type PostForEdit = typeof posts.$inferSelect & {
  topic: TopicFacts & { id: number; title: string; slug: string; forumId: number };
  /** the author's latest edit, when it waits for approval */
  pendingEdit: PendingEdit | null;
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
      pendingId: pendingEdits.id,
      pendingMarkdown: pendingEdits.bodyMarkdown,
      pendingAt: pendingEdits.createdAt,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(pendingEdits, eq(pendingEdits.postId, posts.id))
    .where(eq(posts.id, postId))
    .get();
  if (!row || row.topic.removedAt) throw new NotFoundError('There is no post at this address.');
  const { pendingId, pendingMarkdown, pendingAt } = row;
  return {
    ...row.post,
    topic: { ...row.topic, forum: { archived: row.archived } },
    pendingEdit:
      pendingId !== null && pendingMarkdown !== null && pendingAt !== null
        ? { id: pendingId, bodyMarkdown: pendingMarkdown, createdAt: pendingAt }
        : null,
  };
}

/** What an edit did: changed the post, or left it waiting for a moderator's approval. */
export type Edited = 'changed' | 'waiting' | 'unchanged';

/**
 * Replaces a post's text, keeping the replaced text as a revision. When the author's posts are
 * held, or the new text has a watched word of the "hold" kind, the edit of a published post
 * waits for a moderator instead (replacing any edit already waiting): readers and the search
 * index keep the published text until then. An edit back to the published text withdraws the
 * edit that waits.
 * @throws ForbiddenError, FormError (the allowance for previews and edits is spent, and see
 *   checkText),
 *   PersonalDataFound
 */
export async function editPost(
  deps: AppDeps,
  author: Author,
  post: PostForEdit,
  draft: Pick<Draft, 'body' | 'postAnyway'>,
): Promise<Edited> {
  const now = deps.now();
  requireEditPost(author, post, post.topic, now);
  const spend = cookingAllowance(deps, author);
  const { db } = deps;
  const withdraw = db.delete(pendingEdits).where(eq(pendingEdits.postId, post.id));
  if (draft.body === (post.pendingEdit?.bodyMarkdown ?? post.bodyMarkdown)) return 'unchanged';
  if (draft.body === post.bodyMarkdown) {
    await withdraw;
    return 'unchanged';
  }
  const { bodyHtml, holdWords } = await checkText(deps, author, draft, spend);
  const visible = post.state === 'visible';
  if (visible && (author.postsNeedApproval || holdWords)) {
    await db.batch([
      withdraw,
      db.insert(pendingEdits).values({
        postId: post.id,
        bodyMarkdown: draft.body,
        bodyHtml,
        cookVersion: COOK_VERSION,
        createdAt: new Date(now),
      }),
    ]);
    return 'waiting';
  }
  await db.batch([
    ...replaceTextStatements(db, post, { body: draft.body, bodyHtml, editorId: author.id, now }),
    withdraw,
  ]);
  return 'changed';
}

/**
 * A post's text replaced, the replaced text kept as a revision, the search index following
 * when the post is published: an edit, or an edit a moderator approved.
 */
export function replaceTextStatements(
  db: Db,
  post: Pick<
    PostForEdit,
    | 'id'
    | 'number'
    | 'state'
    | 'revisionCount'
    | 'bodyMarkdown'
    | 'bodyHtml'
    | 'editedAt'
    | 'createdAt'
  > & { topic: { title: string } },
  edit: {
    body: string;
    bodyHtml: string;
    /** the pipeline that cooked `bodyHtml` (an edit that waited may be older than this one) */
    cookVersion?: number;
    editorId: number | null;
    now: number;
  },
) {
  return [
    db.insert(postRevisions).values({
      postId: post.id,
      number: post.revisionCount + 1,
      bodyMarkdown: post.bodyMarkdown,
      bodyHtml: post.bodyHtml,
      editorId: edit.editorId,
      createdAt: post.editedAt ?? post.createdAt,
    }),
    db
      .update(posts)
      .set({
        bodyMarkdown: edit.body,
        bodyHtml: edit.bodyHtml,
        cookVersion: edit.cookVersion ?? COOK_VERSION,
        editedAt: new Date(edit.now),
        revisionCount: sql`${posts.revisionCount} + 1`,
      })
      .where(eq(posts.id, post.id)),
    unindexPost(db, post.id),
    ...(post.state === 'visible'
      ? [indexPost(db, post.id, post.number === 1 ? post.topic.title : '', edit.bodyHtml)]
      : []),
  ] as const;
}

/**
 * The author deletes their post: it keeps its place in the thread as "deleted by its author",
 * its text leaves the page and the search index, and an edit waiting for approval goes.
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
    db.delete(pendingEdits).where(eq(pendingEdits.postId, post.id)),
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
