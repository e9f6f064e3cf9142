/**
 * Administration: forums (create, edit, reorder, tie to a vendor's product, archive), roles and
 * the watched-words list. Used by /admin and by the command line. Each change is one `db.batch`
 * with its moderation-log row; a change that changes nothing writes nothing.
 *
 * Watched words are logged with target type 'forum' and target id 0 (the forum as a whole):
 * the log's target types have no entry for them yet.
 */
import { and, asc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { forums, moderationLog, products, users, vendors, watchedWords } from '../../db/schema';
import type { ForumCategory, Role, WatchedWordAction } from '../../domain/words';
import type { AppDeps } from '../context';
import { FormError, NotFoundError } from '../errors';
import {
  type Administrator,
  COMMAND_LINE,
  requireAdministrator,
  requireChangeRole,
} from '../policy/admin';
import type { ProductRef } from '../validation/admin-forms';
import {
  endOfCategory,
  insertForum,
  productIdOf,
  upsertProduct,
  upsertVendor,
  vendorIdOf,
} from './catalog';

type LogEntry = {
  action: string;
  targetType: 'forum' | 'user' | 'watched_word';
  targetId: number | SQL<number>;
  note?: string | null;
};

/** The moderation-log row of a change, for the change's batch. */
function logRow(deps: AppDeps, by: Administrator, e: LogEntry) {
  return deps.db.insert(moderationLog).values({
    moderatorId: by === COMMAND_LINE || !by ? null : by.id,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    note: e.note ?? null,
    createdAt: new Date(deps.now()),
  });
}

const isUniqueViolation = (err: unknown) => {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed/i.test(String((e as { message?: unknown }).message ?? e)))
      return true;
  }
  return false;
};

// Forums

export type AdminForum = {
  id: number;
  slug: string;
  name: string;
  description: string;
  category: ForumCategory;
  position: number;
  archived: boolean;
  /** an administrator's new topic here can be emailed to subscribers */
  announcements: boolean;
  topicCount: number;
  postCount: number;
  product: {
    plimusProductId: string;
    name: string;
    vendor: { plimusVendorId: string; name: string };
  } | null;
};

const adminForumColumns = {
  forum: forums,
  productPlimusId: products.plimusProductId,
  productName: products.name,
  vendorPlimusId: vendors.plimusVendorId,
  vendorName: vendors.name,
};

type AdminForumRow = {
  forum: typeof forums.$inferSelect;
  productPlimusId: string | null;
  productName: string | null;
  vendorPlimusId: string | null;
  vendorName: string | null;
};

function toAdminForum(r: AdminForumRow): AdminForum {
  const f = r.forum;
  return {
    id: f.id,
    slug: f.slug,
    name: f.name,
    description: f.description,
    category: f.category,
    position: f.position,
    archived: f.archived,
    announcements: f.announcements,
    topicCount: f.topicCount,
    postCount: f.postCount,
    product:
      r.productPlimusId && r.productName && r.vendorPlimusId && r.vendorName
        ? {
            plimusProductId: r.productPlimusId,
            name: r.productName,
            vendor: { plimusVendorId: r.vendorPlimusId, name: r.vendorName },
          }
        : null,
  };
}

/** Every forum, in the order of the forum index (category, then position). */
export async function listForumsForAdmin(deps: AppDeps, by: Administrator): Promise<AdminForum[]> {
  requireAdministrator(by, deps.now());
  const rows = await deps.db
    .select(adminForumColumns)
    .from(forums)
    .leftJoin(products, eq(products.id, forums.productId))
    .leftJoin(vendors, eq(vendors.id, products.vendorId))
    .orderBy(asc(forums.category), asc(forums.position), asc(forums.id));
  return rows.map(toAdminForum);
}

/** @throws NotFoundError when there is no forum with this id */
export async function getForumForAdmin(
  deps: AppDeps,
  by: Administrator,
  id: number,
): Promise<AdminForum> {
  requireAdministrator(by, deps.now());
  const row = await deps.db
    .select(adminForumColumns)
    .from(forums)
    .leftJoin(products, eq(products.id, forums.productId))
    .leftJoin(vendors, eq(vendors.id, products.vendorId))
    .where(eq(forums.id, id))
    .get();
  if (!row) throw new NotFoundError('There is no forum with this number.');
  return toAdminForum(row);
}

/**
 * A product's Plimus id belongs to one vendor: tying a forum to it under another vendor id is
 * a typing mistake, not a reason to move the product to that vendor.
 */
async function checkProductVendor(deps: AppDeps, p: ProductRef) {
  const existing = await deps.db
    .select({ vendorPlimusId: vendors.plimusVendorId, vendorName: vendors.name })
    .from(products)
    .innerJoin(vendors, eq(vendors.id, products.vendorId))
    .where(eq(products.plimusProductId, p.plimusProductId))
    .get();
  if (existing && existing.vendorPlimusId !== p.plimusVendorId) {
    throw new FormError({
      product_id: `Product ${p.plimusProductId} belongs to the vendor ${existing.vendorName} (vendor id ${existing.vendorPlimusId}), not to vendor id ${p.plimusVendorId}. Check both ids.`,
    });
  }
}

/** The vendor and product records of a product forum, created or renamed, for a batch. */
function productStatements(deps: AppDeps, p: ProductRef) {
  return [
    upsertVendor(deps, { plimusVendorId: p.plimusVendorId, name: p.vendorName }),
    upsertProduct(deps, {
      plimusProductId: p.plimusProductId,
      name: p.productName,
      vendorId: vendorIdOf(p.plimusVendorId),
    }),
  ] as const;
}

const productNote = (p: ProductRef) =>
  `${p.vendorName} (${p.plimusVendorId}) / ${p.productName} (${p.plimusProductId})`;

export type ForumSettings = {
  slug: string;
  name: string;
  description: string;
  category: ForumCategory;
  /** a product forum: the vendor's product, created when new */
  product: ProductRef | null;
};

const SLUG_TAKEN = 'A forum already has this address. Choose another.';

/**
 * Creates a forum at the end of its category, with its vendor and product when it is a product
 * forum; logged as forum_create.
 * @throws ForbiddenError for anyone but admins; FormError when the slug is taken or the product
 *   belongs to another vendor
 */
export async function createForumAsAdmin(
  deps: AppDeps,
  by: Administrator,
  input: ForumSettings,
): Promise<AdminForum> {
  requireAdministrator(by, deps.now());
  const taken = await deps.db
    .select({ id: forums.id })
    .from(forums)
    .where(eq(forums.slug, input.slug))
    .get();
  if (taken) throw new FormError({ slug: SLUG_TAKEN });
  if (input.product) await checkProductVendor(deps, input.product);
  const forumId = sql<number>`(select ${forums.id} from ${forums} where ${forums.slug} = ${input.slug})`;
  const forum = insertForum(deps, {
    slug: input.slug,
    name: input.name,
    description: input.description,
    category: input.category,
    productId: input.product ? productIdOf(input.product.plimusProductId) : null,
  });
  const log = logRow(deps, by, {
    action: 'forum_create',
    targetType: 'forum',
    targetId: forumId,
    note: input.product ? `tied to ${productNote(input.product)}` : null,
  });
  try {
    if (input.product) await deps.db.batch([...productStatements(deps, input.product), forum, log]);
    else await deps.db.batch([forum, log]);
  } catch (err) {
    // Someone made a forum with this address between the check and the batch.
    if (isUniqueViolation(err)) throw new FormError({ slug: SLUG_TAKEN });
    throw err;
  }
  const created = await deps.db
    .select({ id: forums.id })
    .from(forums)
    .where(eq(forums.slug, input.slug))
    .get();
  if (!created) throw new Error('the forum was not created');
  return getForumForAdmin(deps, by, created.id);
}

export type ForumDetails = { name: string; description: string; category: ForumCategory };

/**
 * Changes a forum's name, description and category (moving to another category puts it at the
 * end there); logged as forum_update with what changed. The slug never changes: links to the
 * forum live in search engines and on other sites.
 * @returns whether anything changed
 */
export async function updateForum(
  deps: AppDeps,
  by: Administrator,
  id: number,
  input: ForumDetails,
): Promise<boolean> {
  const forum = await getForumForAdmin(deps, by, id);
  const changed: string[] = [];
  if (input.name !== forum.name) changed.push(`name: ${forum.name} -> ${input.name}`);
  if (input.description !== forum.description) changed.push('description');
  if (input.category !== forum.category)
    changed.push(`category: ${forum.category} -> ${input.category}`);
  if (changed.length === 0) return false;
  await deps.db.batch([
    deps.db
      .update(forums)
      .set({
        name: input.name,
        description: input.description,
        category: input.category,
        ...(input.category !== forum.category ? { position: endOfCategory(input.category) } : {}),
      })
      .where(eq(forums.id, id)),
    logRow(deps, by, {
      action: 'forum_update',
      targetType: 'forum',
      targetId: id,
      note: changed.join('; '),
    }),
  ]);
  return true;
}

/**
 * Moves a forum one place up or down within its category; logged as forum_reorder. The
 * category's positions are renumbered 1, 2, 3... on the way, so that equal or missing positions
 * cannot make a move do nothing.
 * @returns whether it moved (not when already first or last)
 */
export async function moveForum(
  deps: AppDeps,
  by: Administrator,
  id: number,
  direction: 'up' | 'down',
): Promise<boolean> {
  const forum = await getForumForAdmin(deps, by, id);
  const siblings = await deps.db
    .select({ id: forums.id, position: forums.position })
    .from(forums)
    .where(eq(forums.category, forum.category))
    .orderBy(asc(forums.position), asc(forums.id));
  const at = siblings.findIndex((s) => s.id === id);
  const to = direction === 'up' ? at - 1 : at + 1;
  const self = siblings[at];
  const other = siblings[to];
  if (!self || !other) return false;
  siblings[at] = other;
  siblings[to] = self;
  const updates = siblings.flatMap((s, i) =>
    s.position === i + 1
      ? []
      : [
          deps.db
            .update(forums)
            .set({ position: i + 1 })
            .where(eq(forums.id, s.id)),
        ],
  );
  await deps.db.batch([
    logRow(deps, by, {
      action: 'forum_reorder',
      targetType: 'forum',
      targetId: id,
      note: `${direction}: position ${at + 1} -> ${to + 1} in ${forum.category}`,
    }),
    ...updates,
  ]);
  return true;
}

/**
 * Ties a forum to a vendor's product (creating or renaming the vendor and product records);
 * logged as forum_tie. Vendor staff and buyers of that product get their badges there.
 * @throws FormError when the product belongs to another vendor
 * @returns whether anything changed
 */
export async function tieForum(
  deps: AppDeps,
  by: Administrator,
  id: number,
  product: ProductRef,
): Promise<boolean> {
  const forum = await getForumForAdmin(deps, by, id);
  const p = forum.product;
  if (
    p &&
    p.plimusProductId === product.plimusProductId &&
    p.name === product.productName &&
    p.vendor.plimusVendorId === product.plimusVendorId &&
    p.vendor.name === product.vendorName
  ) {
    return false;
  }
  await checkProductVendor(deps, product);
  await deps.db.batch([
    ...productStatements(deps, product),
    deps.db
      .update(forums)
      .set({ productId: productIdOf(product.plimusProductId) })
      .where(eq(forums.id, id)),
    logRow(deps, by, {
      action: 'forum_tie',
      targetType: 'forum',
      targetId: id,
      note: productNote(product),
    }),
  ]);
  return true;
}

/**
 * Makes a product forum an ordinary one (the vendor and product records stay); logged as
 * forum_untie.
 * @returns whether anything changed
 */
export async function untieForum(deps: AppDeps, by: Administrator, id: number): Promise<boolean> {
  const forum = await getForumForAdmin(deps, by, id);
  if (!forum.product) return false;
  const p = forum.product;
  await deps.db.batch([
    deps.db.update(forums).set({ productId: null }).where(eq(forums.id, id)),
    logRow(deps, by, {
      action: 'forum_untie',
      targetType: 'forum',
      targetId: id,
      note: `was ${p.vendor.name} (${p.vendor.plimusVendorId}) / ${p.name} (${p.plimusProductId})`,
    }),
  ]);
  return true;
}

/**
 * Archives a forum (read-only: the posting policy refuses new topics, replies and edits in it)
 * or opens it again; logged as forum_archive / forum_unarchive.
 * @returns whether anything changed
 */
export async function setForumArchived(
  deps: AppDeps,
  by: Administrator,
  id: number,
  archived: boolean,
): Promise<boolean> {
  return setForumFlag(deps, by, id, 'archived', archived, {
    action: archived ? 'forum_archive' : 'forum_unarchive',
  });
}

/**
 * Makes a forum an announcement forum, where an administrator's new topic can be emailed to the
 * members who chose announcements, or an ordinary one again; logged as forum_update.
 * @returns whether anything changed
 */
export async function setAnnouncementForum(
  deps: AppDeps,
  by: Administrator,
  id: number,
  announcements: boolean,
): Promise<boolean> {
  return setForumFlag(deps, by, id, 'announcements', announcements, {
    action: 'forum_update',
    note: `announcements: ${announcements ? 'off -> on' : 'on -> off'}`,
  });
}

/** Sets one of a forum's yes-or-no settings, with its log row; nothing when it is so already. */
async function setForumFlag(
  deps: AppDeps,
  by: Administrator,
  id: number,
  flag: 'archived' | 'announcements',
  value: boolean,
  log: { action: string; note?: string },
): Promise<boolean> {
  const forum = await getForumForAdmin(deps, by, id);
  if (forum[flag] === value) return false;
  await deps.db.batch([
    deps.db
      .update(forums)
      .set({ [flag]: value })
      .where(eq(forums.id, id)),
    logRow(deps, by, { ...log, targetType: 'forum', targetId: id }),
  ]);
  return true;
}

// Roles

export type MemberRole = { id: number; username: string; role: Role; createdAt: Date };

/** The account with this username (without regard to case), or null. */
export async function findMember(
  deps: AppDeps,
  by: Administrator,
  username: string,
): Promise<MemberRole | null> {
  requireAdministrator(by, deps.now());
  const row = await deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.usernameKey, username.toLowerCase()))
    .get();
  return row ?? null;
}

/** The most members a username search lists. */
export const MEMBER_SEARCH_LIMIT = 20;

/**
 * Members whose username starts with `prefix` (without regard to case), by username, at most
 * MEMBER_SEARCH_LIMIT: a range on the unique index of lower-cased usernames, so no character of
 * the prefix is a wildcard.
 */
export async function searchMembers(
  deps: AppDeps,
  by: Administrator,
  prefix: string,
): Promise<MemberRole[]> {
  requireAdministrator(by, deps.now());
  const key = prefix.toLowerCase();
  if (key === '') return [];
  return deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(and(gte(users.usernameKey, key), lt(users.usernameKey, `${key}\u{10FFFF}`)))
    .orderBy(asc(users.usernameKey))
    .limit(MEMBER_SEARCH_LIMIT);
}

/** The most staff accounts the staff list shows. */
export const STAFF_LIST_LIMIT = 200;

/** The current staff: administrators, then moderators, each by username. */
export async function listStaff(deps: AppDeps, by: Administrator): Promise<MemberRole[]> {
  requireAdministrator(by, deps.now());
  return deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(inArray(users.role, ['admin', 'moderator']))
    .orderBy(asc(users.role), asc(users.usernameKey))
    .limit(STAFF_LIST_LIMIT);
}

/**
 * Gives a member a role; logged as role_change with "old -> new". Admins cannot take their own
 * admin role away.
 * @throws NotFoundError for an unknown username; ForbiddenError for anyone but admins, and for
 *   an admin demoting themselves
 */
export async function changeRole(
  deps: AppDeps,
  by: Administrator,
  username: string,
  role: Role,
): Promise<{ member: MemberRole; from: Role; changed: boolean }> {
  const member = await findMember(deps, by, username);
  if (!member) throw new NotFoundError(`There is no member with the username ${username}.`);
  requireChangeRole(by, member, role, deps.now());
  if (member.role === role) return { member, from: role, changed: false };
  await deps.db.batch([
    deps.db.update(users).set({ role }).where(eq(users.id, member.id)),
    logRow(deps, by, {
      action: 'role_change',
      targetType: 'user',
      targetId: member.id,
      note: `${member.role} -> ${role}`,
    }),
  ]);
  return { member: { ...member, role }, from: member.role, changed: true };
}

/** How many admins the forum has (the command line warns when none is left). */
export async function adminCount(deps: AppDeps): Promise<number> {
  const row = await deps.db
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(eq(users.role, 'admin'))
    .get();
  return Number(row?.n ?? 0);
}

// Watched words

export type WatchedWordRow = typeof watchedWords.$inferSelect;

/** The list, alphabetically (the order of its unique index). */
export async function listWatchedWords(
  deps: AppDeps,
  by: Administrator,
): Promise<WatchedWordRow[]> {
  requireAdministrator(by, deps.now());
  return deps.db.select().from(watchedWords).orderBy(asc(watchedWords.word));
}

const wordNote = (w: { word: string; action: string }) => `"${w.word}" (${w.action})`;

/**
 * Adds a word or phrase (already normalized by the form: see normalizeWatchedWord); logged as
 * watched_word_add.
 * @throws FormError when it is on the list already
 */
export async function addWatchedWord(
  deps: AppDeps,
  by: Administrator,
  input: { word: string; action: WatchedWordAction },
): Promise<void> {
  requireAdministrator(by, deps.now());
  const existing = await deps.db
    .select()
    .from(watchedWords)
    .where(eq(watchedWords.word, input.word))
    .get();
  const onList = (action: string) =>
    new FormError({
      word: `"${input.word}" is on the list already (${action === 'block' ? 'blocked' : 'held for approval'}). Remove it first to change what it does.`,
    });
  if (existing) throw onList(existing.action);
  try {
    await deps.db.batch([
      deps.db
        .insert(watchedWords)
        .values({ word: input.word, action: input.action, createdAt: new Date(deps.now()) }),
      logRow(deps, by, {
        action: 'watched_word_add',
        targetType: 'watched_word',
        targetId: sql<number>`(select id from watched_words where word = ${input.word})`,
        note: wordNote(input),
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw onList(input.action);
    throw err;
  }
}

/**
 * Removes a word from the list; logged as watched_word_remove.
 * @throws NotFoundError when it is not on the list (any more)
 */
export async function removeWatchedWord(
  deps: AppDeps,
  by: Administrator,
  id: number,
): Promise<WatchedWordRow> {
  requireAdministrator(by, deps.now());
  const word = await deps.db.select().from(watchedWords).where(eq(watchedWords.id, id)).get();
  if (!word) throw new NotFoundError('That word is not on the list (any more).');
  await deps.db.batch([
    deps.db.delete(watchedWords).where(eq(watchedWords.id, id)),
    logRow(deps, by, {
      action: 'watched_word_remove',
      targetType: 'watched_word',
      targetId: id,
      note: wordNote(word),
    }),
  ]);
  return word;
}
