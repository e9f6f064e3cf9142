/**
 * The forms of /admin, which the command line (`npm run cli`) validates with too: one rule for a
 * forum's slug, whichever way the forum is made.
 */
import * as z from 'zod';
import { FORUM_CATEGORIES, ROLES, WATCHED_WORD_ACTIONS } from '../../domain/words';
import { normalizeWatchedWord } from '../content/watched-words';
import { textLine } from './fields';
import { checkbox } from './forms';

export const MAX_FORUM_SLUG = 40;
export const MAX_FORUM_NAME = 80;
export const MAX_FORUM_DESCRIPTION = 300;
export const MAX_PLIMUS_ID = 100;
export const MAX_PLIMUS_NAME = 200;
export const MAX_WATCHED_WORD = 100;

const oneLine = (v: string) => v.replace(/\s+/g, ' ').trim();

/** The forum's address, /f/<slug>: fixed once the forum exists (links to it must keep working). */
export const forumSlug = z
  .string({ error: 'Choose the address of the forum.' })
  .transform((v) => v.trim().toLowerCase())
  .pipe(
    z
      .string()
      .min(2, `Addresses have 2 to ${MAX_FORUM_SLUG} characters.`)
      .max(MAX_FORUM_SLUG, `Addresses have 2 to ${MAX_FORUM_SLUG} characters.`)
      .regex(
        /^[a-z0-9]+(-[a-z0-9]+)*$/,
        'Use only letters a-z, digits and single hyphens between them, like acme-backup.',
      ),
  );

export const forumName = z
  .string({ error: 'Give the forum a name.' })
  .transform(oneLine)
  .pipe(
    textLine
      .min(2, `Names have 2 to ${MAX_FORUM_NAME} characters.`)
      .max(MAX_FORUM_NAME, `Names have 2 to ${MAX_FORUM_NAME} characters.`),
  );

export const forumDescription = z
  .string()
  .optional()
  .transform((v) => oneLine(v ?? ''))
  .pipe(
    textLine.max(
      MAX_FORUM_DESCRIPTION,
      `Descriptions have at most ${MAX_FORUM_DESCRIPTION} characters.`,
    ),
  );

export const forumCategory = z.enum(FORUM_CATEGORIES, {
  error: 'Choose Products, Marketplace or Community.',
});

/** An id of the Plimus identity: as the identity's claims carry it (see src/auth/oidc.ts). */
const plimusId = (what: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(
      z
        .string()
        .max(MAX_PLIMUS_ID, `${what} ids have at most ${MAX_PLIMUS_ID} characters.`)
        .regex(
          /^[\x21-\x7e]*$/,
          `${what} ids are written without spaces, as the Plimus identity gives them.`,
        ),
    );

const plimusName = (what: string) =>
  z
    .string()
    .optional()
    .transform((v) => oneLine(v ?? ''))
    .pipe(
      textLine.max(MAX_PLIMUS_NAME, `${what} names have at most ${MAX_PLIMUS_NAME} characters.`),
    );

const PRODUCT_FIELDS = {
  vendor_id: 'the vendor id',
  vendor_name: 'the vendor name',
  product_id: 'the product id',
  product_name: 'the product name',
} as const;

/** A vendor's product, by the Plimus identity's ids (so that claims match it), with names. */
export type ProductRef = {
  plimusVendorId: string;
  vendorName: string;
  plimusProductId: string;
  productName: string;
};

const productFields = z.object({
  vendor_id: plimusId('Vendor'),
  vendor_name: plimusName('Vendor'),
  product_id: plimusId('Product'),
  product_name: plimusName('Product'),
});

/** Checks that all four product fields are given (`required`) or all four or none (`optional`). */
function productRef(
  v: z.output<typeof productFields>,
  ctx: z.RefinementCtx,
  mode: 'required' | 'optional',
): ProductRef | null {
  const given = (Object.keys(PRODUCT_FIELDS) as (keyof typeof PRODUCT_FIELDS)[]).filter(
    (k) => v[k] !== '',
  );
  if (given.length === 0 && mode === 'optional') return null;
  if (given.length < 4) {
    for (const k of Object.keys(PRODUCT_FIELDS) as (keyof typeof PRODUCT_FIELDS)[]) {
      if (v[k] !== '') continue;
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message:
          mode === 'optional'
            ? `Enter ${PRODUCT_FIELDS[k]} too: a product forum needs the vendor and the product, ids and names (or leave all four empty).`
            : `Enter ${PRODUCT_FIELDS[k]}.`,
      });
    }
    return null;
  }
  return {
    plimusVendorId: v.vendor_id,
    vendorName: v.vendor_name,
    plimusProductId: v.product_id,
    productName: v.product_name,
  };
}

/**
 * A new forum. Without a category it goes to Products when tied to a product, to Community
 * otherwise.
 */
export const createForumForm = z
  .object({
    slug: forumSlug,
    name: forumName,
    description: forumDescription,
    category: z
      .string()
      .optional()
      .transform((v) => v || undefined)
      .pipe(forumCategory.optional()),
    ...productFields.shape,
  })
  .transform((v, ctx) => {
    const product = productRef(v, ctx, 'optional');
    return {
      slug: v.slug,
      name: v.name,
      description: v.description,
      category: v.category ?? (product ? 'products' : 'community'),
      product,
    };
  });

export const editForumForm = z.object({
  name: forumName,
  description: forumDescription,
  category: forumCategory,
});

export const tieForumForm = productFields.transform((v, ctx) => {
  const product = productRef(v, ctx, 'required');
  return { product: product as ProductRef };
});

/** An announcement forum or not: the box is ticked or absent. */
export const announcementForumForm = z.object({ announcements: checkbox });

export const moveForumForm = z.object({
  direction: z.enum(['up', 'down'], { error: 'Move the forum up or down.' }),
});

export const roleForm = z.object({
  role: z.enum(ROLES, { error: 'Choose member, moderator or admin.' }),
});

export const findMemberQuery = z.object({
  username: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(50, 'Usernames have at most 20 characters.')),
});

export const watchedWordForm = z.object({
  word: z
    .string({ error: 'Enter a word or phrase.' })
    // Checked as typed: normalizing would drop the bidirectional controls without a word.
    .transform(oneLine)
    .pipe(textLine)
    .transform(normalizeWatchedWord)
    .pipe(
      z
        .string()
        .min(1, 'Enter a word or phrase.')
        .max(MAX_WATCHED_WORD, `Words and phrases have at most ${MAX_WATCHED_WORD} characters.`)
        .regex(/[\p{L}\p{N}]/u, 'A watched word needs at least one letter or digit.'),
    ),
  action: z.enum(WATCHED_WORD_ACTIONS, {
    error: 'Choose whether a post with it is blocked or held for approval.',
  }),
});
