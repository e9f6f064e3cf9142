/**
 * Vendors, products and forums: the catalogue the forums are organised around. Vendor and
 * product ids are the Plimus identity's, so that identity claims match them.
 */
import { sql } from 'drizzle-orm';
import { type ForumCategory, forums, products, vendors } from '../../db/schema';
import type { AppDeps } from '../context';

export type Vendor = typeof vendors.$inferSelect;
export type Product = typeof products.$inferSelect;

/** The vendor with this Plimus id, created (or renamed) from what the identity says. */
export async function ensureVendor(
  deps: AppDeps,
  v: { plimusVendorId: string; name: string },
): Promise<Vendor> {
  const [row] = await deps.db
    .insert(vendors)
    .values({ plimusVendorId: v.plimusVendorId, name: v.name, createdAt: new Date(deps.now()) })
    .onConflictDoUpdate({ target: vendors.plimusVendorId, set: { name: v.name } })
    .returning();
  if (!row) throw new Error('vendor upsert returned no row');
  return row;
}

export async function ensureProduct(
  deps: AppDeps,
  p: { plimusProductId: string; name: string; vendorId: number },
): Promise<Product> {
  const [row] = await deps.db
    .insert(products)
    .values({ ...p, createdAt: new Date(deps.now()) })
    .onConflictDoUpdate({
      target: products.plimusProductId,
      set: { name: p.name, vendorId: p.vendorId },
    })
    .returning();
  if (!row) throw new Error('product upsert returned no row');
  return row;
}

export type NewForum = {
  slug: string;
  name: string;
  description?: string;
  category: ForumCategory;
  productId?: number | null;
};

/** Adds a forum at the end of its category. */
export async function createForum(deps: AppDeps, f: NewForum) {
  const [row] = await deps.db
    .insert(forums)
    .values({
      slug: f.slug,
      name: f.name,
      description: f.description ?? '',
      category: f.category,
      productId: f.productId ?? null,
      position: sql`(select coalesce(max(position), 0) + 1 from forums where category = ${f.category})`,
      createdAt: new Date(deps.now()),
    })
    .returning();
  if (!row) throw new Error('forum insert returned no row');
  return row;
}

export async function forumCount(deps: AppDeps): Promise<number> {
  const row = await deps.db.select({ n: sql<number>`count(*)` }).from(forums).get();
  return Number(row?.n ?? 0);
}
