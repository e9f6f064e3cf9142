/**
 * Drafts kept for someone whose session ended while writing (docs/decisions/014-kept-drafts.md):
 * a reply or new topic sent while signed out is kept for an hour under a random token, which only
 * the writer's browser holds (in a cookie; the row's id is the token's SHA-256). After signing in,
 * the composer it was written for shows it again; once posted, or expired, it is deleted. A kept
 * draft is linked to no account, and nobody else can read it.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, lte } from 'drizzle-orm';
import { keptDrafts } from '../../db/schema';
import type { TopicKind } from '../../domain/words';
import type { AppDeps } from '../context';
import { storageFailure, TooManyRequestsError } from '../errors';
import { MAX_BODY } from '../validation/forms';

/** how long a draft is kept */
export const KEPT_DRAFT_MS = 60 * 60_000;
/** a title longer than this is no title a topic can have (150 after spaces are folded) */
export const MAX_KEPT_TITLE = 1_000;

/** What the draft was written for: a reply to a topic, or a new topic in a forum. */
export type DraftTarget = { topicId: number } | { forumId: number };

export type DraftText = { title: string; kind: TopicKind | null; body: string };
export type KeptDraft = DraftText & { expiresAt: Date };

const hashToken = (token: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(token)));

const forTarget = (target: DraftTarget) =>
  'topicId' in target
    ? eq(keptDrafts.topicId, target.topicId)
    : eq(keptDrafts.forumId, target.forumId);

/** Whether the text may be kept: no larger than a post may be (checked before any other work). */
export const fitsKeeping = (text: { title: string; body: string }) =>
  text.body.length <= MAX_BODY && text.title.length <= MAX_KEPT_TITLE;

/** Whether there is anything to keep. */
export const worthKeeping = (text: { title: string; body: string }) =>
  text.body.trim().length > 0 || text.title.trim().length > 0;

/**
 * Keeps `text` for KEPT_DRAFT_MS and returns the new token. The draft a browser already has
 * (`replacing`) is replaced: one browser keeps one draft. Expired drafts are deleted on the way.
 * @throws TooManyRequestsError when this client kept too many new drafts in the last hour
 */
export async function keepDraft(
  deps: AppDeps,
  client: string,
  target: DraftTarget,
  text: DraftText,
  replacing: string | undefined,
): Promise<{ token: string; expiresAt: Date }> {
  const { db } = deps;
  const now = deps.now();
  const replaced = replacing
    ? await db
        .select({ id: keptDrafts.id })
        .from(keptDrafts)
        .where(eq(keptDrafts.id, hashToken(replacing)))
        .get()
    : undefined;
  if (!replaced) {
    const verdict = deps.limits.keptDraftsPerClient.hit(client);
    if (!verdict.ok) {
      throw new TooManyRequestsError(
        'Too many drafts were kept from your network in the last hour. Copy your text somewhere safe, sign in, and send it again.',
        verdict.retryAfterSeconds,
      );
    }
  }
  const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
  const expiresAt = new Date(now + KEPT_DRAFT_MS);
  await db.batch([
    db.delete(keptDrafts).where(lte(keptDrafts.expiresAt, new Date(now))),
    ...(replaced ? [db.delete(keptDrafts).where(eq(keptDrafts.id, replaced.id))] : []),
    db.insert(keptDrafts).values({
      id: hashToken(token),
      topicId: 'topicId' in target ? target.topicId : null,
      forumId: 'forumId' in target ? target.forumId : null,
      title: text.title,
      kind: text.kind,
      body: text.body,
      createdAt: new Date(now),
      expiresAt,
    }),
  ]);
  return { token, expiresAt };
}

/**
 * The draft kept under `token` for `target`. `gone` says that the token keeps nothing any more
 * (unknown, or expired: an expired draft is deleted here), so its cookie should be cleared; a
 * draft for another composer is neither shown nor gone.
 */
export async function keptDraft(
  deps: AppDeps,
  token: string | undefined,
  target: DraftTarget,
): Promise<{ draft: KeptDraft | null; gone: boolean }> {
  if (!token) return { draft: null, gone: false };
  const id = hashToken(token);
  const row = await deps.db.select().from(keptDrafts).where(eq(keptDrafts.id, id)).get();
  if (!row) return { draft: null, gone: true };
  if (row.expiresAt.getTime() <= deps.now()) {
    try {
      await deps.db.delete(keptDrafts).where(eq(keptDrafts.id, id));
    } catch (err) {
      // A composer is still shown when the database cannot write; the next draft kept deletes it.
      if (!storageFailure(err)) throw err;
    }
    return { draft: null, gone: true };
  }
  const forThis =
    'topicId' in target ? row.topicId === target.topicId : row.forumId === target.forumId;
  if (!forThis) return { draft: null, gone: false };
  return {
    draft: { title: row.title, kind: row.kind, body: row.body, expiresAt: row.expiresAt },
    gone: false,
  };
}

/**
 * The draft for `target` was posted: it is deleted, with any expired one. True when the token
 * keeps nothing any more (its cookie should be cleared); false when it keeps a draft for another
 * composer. Never throws for a database that cannot write (the post is saved by then).
 */
export async function discardKeptDraft(
  deps: AppDeps,
  token: string | undefined,
  target: DraftTarget,
): Promise<boolean> {
  if (!token) return false;
  const { db } = deps;
  const id = hashToken(token);
  const now = new Date(deps.now());
  try {
    const [, , left] = await db.batch([
      db.delete(keptDrafts).where(and(eq(keptDrafts.id, id), forTarget(target))),
      db.delete(keptDrafts).where(lte(keptDrafts.expiresAt, now)),
      db.select({ id: keptDrafts.id }).from(keptDrafts).where(eq(keptDrafts.id, id)),
    ]);
    return left.length === 0;
  } catch (err) {
    // The post is saved: it must not look refused. The row, which nothing names once the cookie
    // is cleared, goes when it expires.
    if (!storageFailure(err)) throw err;
    return true;
  }
}
