/**
 * Reading topics and their posts. A topic page reads posts by their per-topic number
 * (`posts_topic_number_unique`), so the last page of a long topic costs what the first does.
 *
 * Badges are facts, never declarations: they are computed here, when the page is read, from the
 * author's linked Plimus identity, in the same query that reads the page's posts.
 */
import { and, asc, between, eq, sql } from 'drizzle-orm';
import { preparedPerDb } from '../../db/client';
import {
  forums,
  identityLinks,
  identityPurchases,
  pendingEdits,
  posts,
  products,
  topics,
  users,
  vendors,
} from '../../db/schema';
import type { AppDeps } from '../context';
import { NotFoundError } from '../errors';
import type { Actor } from '../policy';
import { canSeeHeldPost } from '../policy/moderation';

export const POSTS_PER_PAGE = 20;

export type Topic = typeof topics.$inferSelect;

/** The product a forum is about, with its vendor (what the badges compare against). */
export type ForumProduct = {
  id: number;
  plimusProductId: string;
  name: string;
  vendorId: number;
  vendorName: string;
};

export type TopicWithForum = Topic & {
  forum: {
    id: number;
    slug: string;
    name: string;
    archived: boolean;
    productId: number | null;
    /** null for a general forum */
    product: ForumProduct | null;
  };
};

/** A topic with its forum, and the product and vendor the forum is about. */
const topicById = preparedPerDb((db) =>
  db
    .select({
      topic: topics,
      forum: {
        id: forums.id,
        slug: forums.slug,
        name: forums.name,
        archived: forums.archived,
        productId: forums.productId,
      },
      productPlimusId: products.plimusProductId,
      productName: products.name,
      productVendorId: products.vendorId,
      vendorName: vendors.name,
    })
    .from(topics)
    .innerJoin(forums, eq(forums.id, topics.forumId))
    .leftJoin(products, eq(products.id, forums.productId))
    .leftJoin(vendors, eq(vendors.id, products.vendorId))
    .where(eq(topics.id, sql.placeholder('id')))
    .prepare(),
);

/**
 * @throws NotFoundError when there is no such topic, it was removed, or it is held for approval
 *   and the viewer is neither its author nor a moderator
 */
export async function getTopic(deps: AppDeps, viewer: Actor, id: number): Promise<TopicWithForum> {
  const row = await topicById(deps.db).get({ id });
  if (!row || row.topic.removedAt) throw new NotFoundError('There is no topic at this address.');
  if (row.topic.state === 'held' && !canSeeHeldPost(viewer, row.topic)) {
    throw new NotFoundError('There is no topic at this address.');
  }
  const { productId } = row.forum;
  const product: ForumProduct | null =
    productId !== null && row.productPlimusId !== null && row.productVendorId !== null
      ? {
          id: productId,
          plimusProductId: row.productPlimusId,
          name: row.productName ?? '',
          vendorId: row.productVendorId,
          vendorName: row.vendorName ?? '',
        }
      : null;
  return { ...row.topic, forum: { ...row.forum, product } };
}

export type PostAuthor = { id: number; username: string; displayName: string | null };

/**
 * What a post's author is, in the forum the post is in: staff of the vendor whose product the
 * forum is about, and a buyer of that product who chose to show it.
 */
export type PostBadges = {
  /** the vendor's name, when the author is staff of the forum's product's vendor */
  vendor: string | null;
  /** the author's identity lists a purchase of the forum's product, and they chose to show it */
  buyer: boolean;
};

export const NO_BADGES: PostBadges = { vendor: null, buyer: false };

export type PostView = {
  id: number;
  number: number;
  author: PostAuthor | null;
  badges: PostBadges;
  createdAt: Date;
  editedAt: Date | null;
  bodyHtml: string;
  deletedAt: Date | null;
  removedAt: Date | null;
  removedReason: string | null;
  /** the moderator's note on a removal: for the author and moderators only (see src/policy) */
  removedNote: string | null;
  state: 'visible' | 'held';
  /**
   * An edit that waits for a moderator's approval, for its author and moderators only (everyone
   * else sees `bodyHtml`, the published text)
   */
  pendingEdit: { bodyHtml: string; createdAt: Date } | null;
};

export function pageOfNumber(number: number): number {
  return Math.max(1, Math.ceil(number / POSTS_PER_PAGE));
}

export function topicPageCount(topic: Pick<Topic, 'highestNumber'>): number {
  return pageOfNumber(topic.highestNumber);
}

/**
 * The posts of one page of a topic, with their authors and badges, in one query: the author's
 * identity link comes by `identity_links_user_idx`, the purchase of the forum's product by the
 * primary key of `identity_purchases`.
 */
const postsOfPage = preparedPerDb((db) =>
  db
    .select({
      id: posts.id,
      number: posts.number,
      createdAt: posts.createdAt,
      editedAt: posts.editedAt,
      bodyHtml: posts.bodyHtml,
      deletedAt: posts.deletedAt,
      removedAt: posts.removedAt,
      removedReason: posts.removedReason,
      removedNote: posts.removedNote,
      state: posts.state,
      postShowsBuyer: posts.showBuyerBadge,
      authorId: users.id,
      authorUsername: users.username,
      authorDisplayName: users.displayName,
      authorShowsBuyer: users.showBuyerBadge,
      authorVendorId: identityLinks.vendorId,
      purchased: identityPurchases.plimusProductId,
      pendingHtml: pendingEdits.bodyHtml,
      pendingAt: pendingEdits.createdAt,
    })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.userId))
    .leftJoin(pendingEdits, eq(pendingEdits.postId, posts.id))
    .leftJoin(identityLinks, eq(identityLinks.userId, posts.userId))
    .leftJoin(
      identityPurchases,
      and(
        eq(identityPurchases.linkId, identityLinks.id),
        eq(identityPurchases.plimusProductId, sql.placeholder('product')),
      ),
    )
    .where(
      and(
        eq(posts.topicId, sql.placeholder('topic')),
        between(posts.number, sql.placeholder('from'), sql.placeholder('to')),
      ),
    )
    .orderBy(asc(posts.number))
    .prepare(),
);

export async function listPosts(
  deps: AppDeps,
  topic: Topic & { forum: { product: ForumProduct | null } },
  page: number,
  viewer: Actor,
): Promise<PostView[]> {
  const from = (page - 1) * POSTS_PER_PAGE + 1;
  const product = topic.forum.product;
  const rows = await postsOfPage(deps.db).all({
    topic: topic.id,
    from,
    to: from + POSTS_PER_PAGE - 1,
    // In a general forum there is no product: the empty id matches no purchase.
    product: product?.plimusProductId ?? '',
  });
  return (
    rows
      // An account has one identity link (services/identity.ts); should it ever have two, a post
      // still shows once.
      .filter(
        (r, i) =>
          rows[i - 1]?.id !== r.id &&
          (r.state === 'visible' || canSeeHeldPost(viewer, { userId: r.authorId })),
      )
      .map((r) => {
        const gone = !!(r.deletedAt || r.removedAt);
        return {
          id: r.id,
          number: r.number,
          author:
            r.authorId !== null && r.authorUsername !== null
              ? { id: r.authorId, username: r.authorUsername, displayName: r.authorDisplayName }
              : null,
          badges: gone || !product ? NO_BADGES : badgesOf(product, r),
          createdAt: r.createdAt,
          editedAt: r.editedAt,
          // A deleted or removed post keeps its place in the thread but not its text.
          bodyHtml: gone ? '' : r.bodyHtml,
          deletedAt: r.deletedAt,
          removedAt: r.removedAt,
          removedReason: r.removedReason,
          removedNote: r.removedNote,
          state: r.state,
          pendingEdit:
            !gone &&
            r.pendingHtml !== null &&
            r.pendingAt !== null &&
            canSeeHeldPost(viewer, { userId: r.authorId })
              ? { bodyHtml: r.pendingHtml, createdAt: r.pendingAt }
              : null,
        };
      })
  );
}

/**
 * The vendor badge needs the author's identity to be staff of the product's vendor; the buyer
 * badge needs a purchase of the product on the identity AND the author's choice to show it (the
 * account setting, or the choice made when writing this post): a purchase is personal data.
 */
function badgesOf(
  product: ForumProduct,
  r: {
    authorId: number | null;
    authorVendorId: number | null;
    purchased: string | null;
    authorShowsBuyer: boolean | null;
    postShowsBuyer: boolean;
  },
): PostBadges {
  if (r.authorId === null) return NO_BADGES;
  return {
    vendor: r.authorVendorId === product.vendorId ? product.vendorName : null,
    buyer: r.purchased !== null && (!!r.authorShowsBuyer || r.postShowsBuyer),
  };
}

export type PostLocation = { topicId: number; slug: string; page: number; postId: number };

/** Where a post sits: its topic and the page of that topic that shows it. */
export async function locatePost(
  deps: AppDeps,
  viewer: Actor,
  postId: number,
): Promise<PostLocation> {
  const row = await deps.db
    .select({
      topicId: posts.topicId,
      number: posts.number,
      state: posts.state,
      userId: posts.userId,
      slug: topics.slug,
      topicRemoved: topics.removedAt,
    })
    .from(posts)
    .innerJoin(topics, eq(topics.id, posts.topicId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || row.topicRemoved || (row.state !== 'visible' && !canSeeHeldPost(viewer, row))) {
    throw new NotFoundError('There is no post at this address.');
  }
  return { topicId: row.topicId, slug: row.slug, page: pageOfNumber(row.number), postId };
}
