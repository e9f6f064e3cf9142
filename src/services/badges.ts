/**
 * The verified-buyer badge, as an author chooses it. A purchase is personal data: the badge shows
 * only when the person chose to show it (their account setting, or the `show_buyer_badge` box of
 * the composer), and only while their linked Plimus identity lists a purchase of the forum's
 * product. The badges themselves are computed when a topic is read (services/topics.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import { identityLinks, identityPurchases, products } from '../../db/schema';
import type { AppDeps } from '../context';

/**
 * Whether the person's linked identity lists a purchase of the product (by the identity link's
 * user index and the primary keys of products and identity_purchases).
 */
export async function hasBought(
  deps: AppDeps,
  userId: number,
  productId: number | null,
): Promise<boolean> {
  if (productId === null) return false;
  const row = await deps.db
    .select({ one: sql<number>`1` })
    .from(identityLinks)
    .innerJoin(products, eq(products.id, productId))
    .innerJoin(
      identityPurchases,
      and(
        eq(identityPurchases.linkId, identityLinks.id),
        eq(identityPurchases.plimusProductId, products.plimusProductId),
      ),
    )
    .where(eq(identityLinks.userId, userId))
    .get();
  return !!row;
}

/** The composer's `show_buyer_badge` box: offered, and ticked or not at first. */
export type BuyerBadgeChoice = {
  checked: boolean;
  /** the account setting shows the badge on every post in forums of products they bought */
  accountSetting: boolean;
};

/**
 * What a composer of a product forum offers the person writing: the badge box, to people who
 * bought the product (ticked when their account setting is on); nothing to anyone else.
 */
export async function buyerBadgeChoice(
  deps: AppDeps,
  author: { id: number; showBuyerBadge: boolean } | null,
  forum: { productId: number | null },
): Promise<BuyerBadgeChoice | null> {
  if (!author || forum.productId === null) return null;
  if (!(await hasBought(deps, author.id, forum.productId))) return null;
  return { checked: author.showBuyerBadge, accountSetting: author.showBuyerBadge };
}
