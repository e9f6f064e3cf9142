/**
 * Vendors, products and forums: the catalogue the forums are organised around. Vendor and
 * product ids are the Plimus identity's, so that identity claims match them.
 */
import { type SQL, sql } from 'drizzle-orm';
import { forums, products, vendors } from '../../db/schema';
import type { ForumCategory } from '../../domain/words';
import type { AppDeps } from '../context';

export type Vendor = typeof vendors.$inferSelect;
export type Product = typeof products.$inferSelect;

/**
 * The statement that creates the vendor with this Plimus id, or renames it to what the identity
 * (or an admin) says; for a `db.batch` with what depends on it.
 */
export function upsertVendor(deps: AppDeps, v: { plimusVendorId: string; name: string }) {
  return deps.db
    .insert(vendors)
    .values({ plimusVendorId: v.plimusVendorId, name: v.name, createdAt: new Date(deps.now()) })
    .onConflictDoUpdate({ target: vendors.plimusVendorId, set: { name: v.name } })
    .returning();
}

/** The vendor with this Plimus id, created (or renamed) from what the identity says. */
export async function ensureVendor(
  deps: AppDeps,
  v: { plimusVendorId: string; name: string },
): Promise<Vendor> {
  const [row] = await upsertVendor(deps, v);
  if (!row) throw new Error('vendor upsert returned no row');
  return row;
}

/** The id of the vendor with this Plimus id, inside a statement (for batches). */
export const vendorIdOf = (plimusVendorId: string) =>
  sql<number>`(select ${vendors.id} from ${vendors} where ${vendors.plimusVendorId} = ${plimusVendorId})`;

/** The id of the product with this Plimus id, inside a statement (for batches). */
export const productIdOf = (plimusProductId: string) =>
  sql<number>`(select ${products.id} from ${products} where ${products.plimusProductId} = ${plimusProductId})`;

/**
 * The statement that creates the product with this Plimus id, or updates its name and vendor.
 * `vendorId` may be `vendorIdOf(...)` for a vendor created earlier in the same batch.
 */
export function upsertProduct(
  deps: AppDeps,
  p: { plimusProductId: string; name: string; vendorId: number | SQL<number> },
) {
  return deps.db
    .insert(products)
    .values({ ...p, createdAt: new Date(deps.now()) })
    .onConflictDoUpdate({
      target: products.plimusProductId,
      set: { name: p.name, vendorId: p.vendorId },
    })
    .returning();
}

export async function ensureProduct(
  deps: AppDeps,
  p: { plimusProductId: string; name: string; vendorId: number },
): Promise<Product> {
  const [row] = await upsertProduct(deps, p);
  if (!row) throw new Error('product upsert returned no row');
  return row;
}

export type NewForum = {
  slug: string;
  name: string;
  description?: string;
  category: ForumCategory;
  /** may be `productIdOf(...)` for a product created earlier in the same batch */
  productId?: number | SQL<number> | null;
  /** an announcement forum (src/services/mailings.ts) */
  announcements?: boolean;
};

/** The statement that adds a forum at the end of its category (for a `db.batch`). */
export function insertForum(deps: AppDeps, f: NewForum) {
  return deps.db
    .insert(forums)
    .values({
      slug: f.slug,
      name: f.name,
      description: f.description ?? '',
      category: f.category,
      productId: f.productId ?? null,
      announcements: f.announcements ?? false,
      position: endOfCategory(f.category),
      createdAt: new Date(deps.now()),
    })
    .returning();
}

/** The position after the last forum of a category, inside a statement. */
export const endOfCategory = (category: ForumCategory) =>
  sql<number>`(select coalesce(max(${forums.position}), 0) + 1 from ${forums} where ${forums.category} = ${category})`;

/** Adds a forum at the end of its category. */
export async function createForum(deps: AppDeps, f: NewForum) {
  const [row] = await insertForum(deps, f);
  if (!row) throw new Error('forum insert returned no row');
  return row;
}

export async function forumCount(deps: AppDeps): Promise<number> {
  const row = await deps.db.select({ n: sql<number>`count(*)` }).from(forums).get();
  return Number(row?.n ?? 0);
}
