/**
 * The forum's tables: the single source of truth for the database.
 * Times are integer milliseconds since the epoch.
 *
 * Personal data lives only in `users`, `sessions`, `identity_links`, `identity_purchases`,
 * `email_confirmations`, `password_resets`, `mail_outbox`, `post_likes`, in the authorship
 * columns of posts, revisions and reports, and in `pending_edits` (whose author is the post's);
 * the export and the account deletion cover exactly these. After an account deleted while suspended,
 * `suspended_accounts` keeps keyed hashes of its email address and username until the
 * suspension ends (a year at most). `kept_drafts` holds text written by someone signed out, for
 * an hour, linked to no account.
 */
import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import {
  DIGEST_CHOICES,
  FORUM_CATEGORIES,
  FORUM_WATCH_LEVELS,
  MAIL_KINDS,
  MAIL_STATUSES,
  MAILING_KINDS,
  NOTIFICATION_KINDS,
  POST_STATES,
  REPORT_REASONS,
  REPORT_STATUSES,
  ROLES,
  TOPIC_KINDS,
  TOPIC_WATCH_LEVELS,
  WATCHED_WORD_ACTIONS,
} from '../domain/words';

const createdAt = (name = 'created_at') =>
  integer(name, { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    /** lower-cased username: usernames are unique without regard to case */
    usernameKey: text('username_key').notNull(),
    displayName: text('display_name'),
    bio: text('bio').notNull().default(''),
    email: text('email'),
    /** lower-cased email, for sign-in by email and uniqueness */
    emailKey: text('email_key'),
    passwordHash: text('password_hash'),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    createdAt: createdAt(),
    /** when the person confirmed being 13 or older; a birth date is never asked */
    ageConfirmedAt: integer('age_confirmed_at', { mode: 'timestamp_ms' }),
    /** when the person acknowledged that posts are public */
    publicAckAt: integer('public_ack_at', { mode: 'timestamp_ms' }),
    /** the privacy-notice version the person last dismissed the banner for */
    policyVersionSeen: text('policy_version_seen'),
    announcementsOptIn: integer('announcements_opt_in', { mode: 'boolean' })
      .notNull()
      .default(false),
    showBuyerBadge: integer('show_buyer_badge', { mode: 'boolean' }).notNull().default(false),
    postCount: integer('post_count').notNull().default(0),
    lastPostedAt: integer('last_posted_at', { mode: 'timestamp_ms' }),
    suspendedUntil: integer('suspended_until', { mode: 'timestamp_ms' }),
    suspendedReason: text('suspended_reason'),
    /** a moderator holds this account's new posts for approval */
    postsNeedApproval: integer('posts_need_approval', { mode: 'boolean' }).notNull().default(false),
    /**
     * when the person showed that the address is theirs (a confirmation link, or the Plimus
     * identity's `email_verified`); only service notices go to an address that is not confirmed
     */
    emailConfirmedAt: integer('email_confirmed_at', { mode: 'timestamp_ms' }),
    /** mail to the address was refused for good (or failed too often) since then */
    emailFailedAt: integer('email_failed_at', { mode: 'timestamp_ms' }),
    /** the SMTP reply code of that failure, e.g. `550 5.1.1` (never the reply's text) */
    emailFailure: text('email_failure'),
    /** no email at all but service notices (the one-click unsubscribe from "all email") */
    optionalEmailOff: integer('optional_email_off', { mode: 'boolean' }).notNull().default(false),
    /** the privacy-notice version whose change the person was sent an email about */
    policyVersionMailed: text('policy_version_mailed'),
    /**
     * the private notification feed's address is a MAC over the account id and this number;
     * resetting it (from /account) makes every earlier address stop working
     */
    notificationFeedVersion: integer('notification_feed_version').notNull().default(0),
    /**
     * the notification kinds the person is emailed about "when away", comma-separated; null is
     * the default (the direct kinds, DIRECT_NOTIFICATION_KINDS)
     */
    notificationEmailKinds: text('notification_email_kinds'),
    /** a summary of unread notifications by email */
    digest: text('digest', { enum: DIGEST_CHOICES }).notNull().default('off'),
    /** when the last summary was queued (the next one covers what came after) */
    digestQueuedAt: integer('digest_queued_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('users_username_key_unique').on(t.usernameKey),
    uniqueIndex('users_email_key_unique').on(t.emailKey),
    // The staff list at /admin/roles: moderators and admins by username.
    index('users_role_idx').on(t.role, t.usernameKey),
    // People who chose a summary by email.
    index('users_digest_idx').on(t.digest).where(sql`${t.digest} != 'off'`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** the public half of the session token, used to find the session */
    id: text('id').primaryKey(),
    /** hex SHA-256 of the secret half; the secret itself is never stored */
    secretHash: text('secret_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    remember: integer('remember', { mode: 'boolean' }).notNull().default(false),
    /** when the person last proved who they are again in this session (a fresh Plimus sign-in) */
    freshAuthAt: integer('fresh_auth_at', { mode: 'timestamp_ms' }),
    /**
     * the browser and system that signed in, as a name from a fixed table ("Firefox on Linux"),
     * read from the User-Agent at sign-in (src/auth/device.ts); the header itself is not kept
     */
    device: text('device'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * A Plimus identity that signed in for the first time and is choosing its forum username. Kept
 * for 15 minutes at most; the cookie holds a token whose hash is the id.
 */
export const pendingSignups = sqliteTable('pending_signups', {
  id: text('id').primaryKey(),
  issuer: text('issuer').notNull(),
  /** the verified claims, as JSON */
  claims: text('claims').notNull(),
  createdAt: createdAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * A reply or new topic sent by someone whose session had ended, kept for an hour so that it is
 * not lost while they sign in (docs/decisions/014-kept-drafts.md). Linked to no account: only
 * the browser holding the cookie's token (whose SHA-256 is the id) can have it back, on the
 * composer it was written for. Deleted once posted, and when expired.
 */
export const keptDrafts = sqliteTable(
  'kept_drafts',
  {
    /** hex SHA-256 of the token in the `kept_draft` cookie */
    id: text('id').primaryKey(),
    /** a reply to this topic, or */
    topicId: integer('topic_id').references(() => topics.id, { onDelete: 'cascade' }),
    /** a new topic in this forum */
    forumId: integer('forum_id').references(() => forums.id, { onDelete: 'cascade' }),
    title: text('title').notNull().default(''),
    kind: text('kind', { enum: TOPIC_KINDS }),
    body: text('body').notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('kept_drafts_expires_idx').on(t.expiresAt)],
);

export const emailConfirmations = sqliteTable(
  'email_confirmations',
  {
    /** hex SHA-256 of the confirmation token */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('email_confirmations_user_idx').on(t.userId)],
);

/** Password-reset links: only the SHA-256 of the token; one per account, used once, for an hour. */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    /** hex SHA-256 of the reset token */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('password_resets_user_idx').on(t.userId)],
);

export const vendors = sqliteTable('vendors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** the vendor's id in the Plimus identity (claim `plimus_vendor_id`) */
  plimusVendorId: text('plimus_vendor_id').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const products = sqliteTable(
  'products',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** the product's id in the Plimus identity (entries of claim `plimus_purchases`) */
    plimusProductId: text('plimus_product_id').notNull().unique(),
    vendorId: integer('vendor_id')
      .notNull()
      .references(() => vendors.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('products_vendor_idx').on(t.vendorId)],
);

export const identityLinks = sqliteTable(
  'identity_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull().default('plimus'),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    linkedAt: createdAt('linked_at'),
    claimsRefreshedAt: integer('claims_refreshed_at', { mode: 'timestamp_ms' }).notNull(),
    /** vendor staff status comes only from the identity's claims */
    vendorId: integer('vendor_id').references(() => vendors.id),
  },
  (t) => [
    uniqueIndex('identity_links_issuer_subject_unique').on(t.issuer, t.subject),
    index('identity_links_user_idx').on(t.userId),
    index('identity_links_vendor_idx').on(t.vendorId),
  ],
);

/** products the linked identity says the person bought (for the verified-buyer badge) */
export const identityPurchases = sqliteTable(
  'identity_purchases',
  {
    linkId: integer('link_id')
      .notNull()
      .references(() => identityLinks.id, { onDelete: 'cascade' }),
    plimusProductId: text('plimus_product_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.linkId, t.plimusProductId] }),
    index('identity_purchases_product_idx').on(t.plimusProductId),
  ],
);

export const forums = sqliteTable(
  'forums',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    category: text('category', { enum: FORUM_CATEGORIES }).notNull().default('community'),
    position: integer('position').notNull().default(0),
    /** a product forum belongs to one vendor's product */
    productId: integer('product_id').references(() => products.id),
    archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
    /** an announcement forum: an administrator's new topic here can be emailed to subscribers */
    announcements: integer('announcements', { mode: 'boolean' }).notNull().default(false),
    topicCount: integer('topic_count').notNull().default(0),
    postCount: integer('post_count').notNull().default(0),
    lastPostId: integer('last_post_id'),
    lastTopicId: integer('last_topic_id'),
    lastPostAt: integer('last_post_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (t) => [index('forums_category_position_idx').on(t.category, t.position)],
);

export const topics = sqliteTable(
  'topics',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    forumId: integer('forum_id')
      .notNull()
      .references(() => forums.id),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    slug: text('slug').notNull(),
    kind: text('kind', { enum: TOPIC_KINDS }).notNull().default('discussion'),
    /** 'held' while its first post waits for approval */
    state: text('state', { enum: POST_STATES }).notNull().default('visible'),
    pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
    locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
    /** posts in the thread, including deleted and removed ones (their rows stay) */
    postCount: integer('post_count').notNull().default(0),
    /** the highest per-topic post number handed out */
    highestNumber: integer('highest_number').notNull().default(0),
    firstPostId: integer('first_post_id'),
    lastPostId: integer('last_post_id'),
    lastPosterId: integer('last_poster_id').references(() => users.id, { onDelete: 'set null' }),
    lastPostAt: integer('last_post_at', { mode: 'timestamp_ms' }).notNull(),
    acceptedPostId: integer('accepted_post_id'),
    acceptedById: integer('accepted_by_id').references(() => users.id, { onDelete: 'set null' }),
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
    removedById: integer('removed_by_id').references(() => users.id, { onDelete: 'set null' }),
    removedReason: text('removed_reason'),
    createdAt: createdAt(),
  },
  (t) => [
    // The forum page: pinned first, then by last activity. One index walk per page.
    index('topics_forum_listing_idx').on(t.forumId, t.pinned, t.lastPostAt, t.id),
    index('topics_user_idx').on(t.userId),
    // Filtered lists of a forum and the vendor dashboard walk these as they walk the listing.
    index('topics_forum_unanswered_idx')
      .on(t.forumId, t.pinned, t.lastPostAt, t.id)
      .where(sql`kind = 'question' and accepted_post_id is null and removed_at is null`),
    index('topics_forum_answered_idx')
      .on(t.forumId, t.pinned, t.lastPostAt, t.id)
      .where(sql`kind = 'question' and accepted_post_id is not null and removed_at is null`),
    // A forum's feed: its newest topics.
    index('topics_forum_id_idx').on(t.forumId, t.id),
    // /latest: every forum's public topics by last activity, and the open questions among them.
    index('topics_latest_idx')
      .on(t.lastPostAt, t.id)
      .where(sql`state = 'visible' and removed_at is null`),
    index('topics_latest_unanswered_idx')
      .on(t.lastPostAt, t.id)
      .where(
        sql`kind = 'question' and accepted_post_id is null and state = 'visible' and removed_at is null`,
      ),
  ],
);

export const posts = sqliteTable(
  'posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    topicId: integer('topic_id')
      .notNull()
      .references((): AnySQLiteColumn => topics.id),
    /** 1-based position in the topic; the topic page reads posts by number range */
    number: integer('number').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    bodyMarkdown: text('body_markdown').notNull(),
    bodyHtml: text('body_html').notNull(),
    /** the cooking pipeline version that produced body_html */
    cookVersion: integer('cook_version').notNull(),
    state: text('state', { enum: POST_STATES }).notNull().default('visible'),
    showBuyerBadge: integer('show_buyer_badge', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    editedAt: integer('edited_at', { mode: 'timestamp_ms' }),
    revisionCount: integer('revision_count').notNull().default(0),
    /** deleted by its author: the row stays, the body is no longer shown */
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    removedAt: integer('removed_at', { mode: 'timestamp_ms' }),
    removedById: integer('removed_by_id').references(() => users.id, { onDelete: 'set null' }),
    removedReason: text('removed_reason'),
    removedNote: text('removed_note'),
  },
  (t) => [
    uniqueIndex('posts_topic_number_unique').on(t.topicId, t.number),
    index('posts_user_created_idx').on(t.userId, t.createdAt),
    index('posts_state_idx').on(t.state),
    // Search by date: the first post of a day bounds the walk of the full-text index (post ids
    // grow with time).
    index('posts_created_idx').on(t.createdAt),
  ],
);

export const postRevisions = sqliteTable(
  'post_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** 1 = the text as first posted */
    number: integer('number').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    bodyHtml: text('body_html').notNull(),
    editorId: integer('editor_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('post_revisions_post_number_unique').on(t.postId, t.number)],
);

/**
 * An edit that waits for a moderator's approval (its author's posts are held, or it has a
 * watched word of the "hold" kind): readers and the search index keep the post's published
 * text until it is approved; its author and moderators see it. One per post; a later edit
 * replaces it. Its author is the post's.
 */
export const pendingEdits = sqliteTable(
  'pending_edits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    bodyMarkdown: text('body_markdown').notNull(),
    bodyHtml: text('body_html').notNull(),
    /** the cooking pipeline version that produced body_html */
    cookVersion: integer('cook_version').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('pending_edits_post_unique').on(t.postId)],
);

/**
 * Likes: one per person per post (not their own). The count is public, who liked is shown to
 * signed-in members; a like is its giver's personal data (exported, erased with the account).
 */
export const postLikes = sqliteTable(
  'post_likes',
  {
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.userId] }),
    // a person's likes of the last day (the daily limit), and the export
    index('post_likes_user_created_idx').on(t.userId, t.createdAt),
  ],
);

/**
 * How far a signed-in person has read each topic they opened: the highest post number shown to
 * them. Written after the topic page is answered (src/services/reading.ts); exported and erased
 * with the account.
 */
export const topicReads = sqliteTable(
  'topic_reads',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    lastReadNumber: integer('last_read_number').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.topicId] })],
);

export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    reporterId: integer('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    reason: text('reason', { enum: REPORT_REASONS }).notNull(),
    note: text('note').notNull().default(''),
    status: text('status', { enum: REPORT_STATUSES }).notNull().default('open'),
    createdAt: createdAt(),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    resolvedById: integer('resolved_by_id').references(() => users.id, { onDelete: 'set null' }),
    resolutionNote: text('resolution_note'),
  },
  (t) => [
    index('reports_status_created_idx').on(t.status, t.createdAt),
    index('reports_post_idx').on(t.postId),
    index('reports_reporter_idx').on(t.reporterId),
    // One open report per person per post.
    uniqueIndex('reports_open_unique').on(t.postId, t.reporterId).where(sql`status = 'open'`),
  ],
);

export const moderationLog = sqliteTable(
  'moderation_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    moderatorId: integer('moderator_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type', {
      enum: ['post', 'topic', 'user', 'report', 'forum', 'watched_word'],
    }).notNull(),
    targetId: integer('target_id').notNull(),
    /**
     * The account this row is about was deleted: the row keeps what was done, by whom and when,
     * shows "deleted user", and lost its reason and note (they were about the person).
     */
    targetDeleted: integer('target_deleted', { mode: 'boolean' }).notNull().default(false),
    reason: text('reason'),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    index('moderation_log_created_idx').on(t.createdAt),
    // The log is read newest first by id, filtered by moderator, action or target (/mod/log):
    // each filter's index ends in the id (the target's implicitly, as the rowid).
    index('moderation_log_moderator_idx').on(t.moderatorId, t.id),
    index('moderation_log_action_idx').on(t.action, t.id),
    index('moderation_log_target_idx').on(t.targetType, t.targetId),
  ],
);

/**
 * Keyed hashes (src/auth/keys.ts, purpose `suspended-account`) of the email address and the
 * username of an account deleted while it was suspended, so that nobody joins again with them
 * before the suspension ends. Without the server secret a hash cannot be matched with an
 * address, and nothing else links it to the account. Kept until the suspension ends, a year after
 * the deletion at most; expired rows are deleted. Also, for a year after any deletion, a hash of
 * the username alone (kind `retired-username`): nobody else gets the name before then.
 */
export const suspendedAccounts = sqliteTable(
  'suspended_accounts',
  {
    hash: text('hash').primaryKey(),
    /** when the suspension ends: the email address and username are free again */
    until: integer('until', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('suspended_accounts_until_idx').on(t.until)],
);

export const watchedWords = sqliteTable('watched_words', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  word: text('word').notNull().unique(),
  action: text('action', { enum: WATCHED_WORD_ACTIONS }).notNull(),
  createdAt: createdAt(),
});

/**
 * A rebuild of the full-text index that is still to be done, from `next_post_id` up to
 * `last_post_id` (src/services/search-index.ts); no row when there is none.
 */
export const searchReindex = sqliteTable('search_reindex', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  nextPostId: integer('next_post_id').notNull(),
  lastPostId: integer('last_post_id').notNull(),
});

/** geographic statistics: a country code counted per day, linked to nobody */
export const countryStats = sqliteTable(
  'country_stats',
  {
    day: text('day').notNull(),
    country: text('country').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.country] })],
);

/** page views counted per day per kind of page, not per person */
export const pageViewStats = sqliteTable(
  'page_view_stats',
  {
    day: text('day').notNull(),
    kind: text('kind').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.kind] })],
);

/**
 * One email sent to many people from one event: the notice of a privacy-notice version, or an
 * announcement topic. At most one per version and one per topic.
 */
export const mailings = sqliteTable('mailings', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: MAILING_KINDS }).notNull(),
  policyVersion: text('policy_version').unique(),
  topicId: integer('topic_id')
    .unique()
    .references(() => topics.id),
  createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  /** how many emails were queued for it */
  recipients: integer('recipients').notNull().default(0),
});

/**
 * The outbox: every email is a row, written in the same batch as the event that causes it, and
 * delivered afterwards by a loop that claims due rows with a lease (src/mail/outbox.ts). Once a
 * message is sent (or given up) its payload and address are erased; the rest stays 30 days.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** the message's stable key: its Message-ID, the same for every attempt */
    key: text('key').notNull().default(sql`(lower(hex(randomblob(16))))`),
    kind: text('kind', { enum: MAIL_KINDS }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /**
     * only for an address the account does not have yet (a new address to confirm); otherwise
     * the message goes to the account's address as it is when the message is sent
     */
    toAddress: text('to_address'),
    /** what the message needs (a token, who asked), as JSON */
    payload: text('payload'),
    mailingId: integer('mailing_id').references(() => mailings.id),
    /** links the person waits for (a reset, a confirmation): sent first */
    urgent: integer('urgent', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: MAIL_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** not before */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    /** a delivery loop claimed the row until then */
    leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
    lastAttemptAt: integer('last_attempt_at', { mode: 'timestamp_ms' }),
    /** what went wrong the last time: an SMTP reply code, never the reply's text */
    lastError: text('last_error'),
    createdAt: createdAt(),
    /** sent, given up or dropped */
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('mail_outbox_key_unique').on(t.key),
    // The delivery loop's claim walks this in order: urgent first, then the oldest due.
    index('mail_outbox_due_idx').on(t.status, sql`${t.urgent} desc`, t.dueAt),
    index('mail_outbox_user_idx').on(t.userId),
    index('mail_outbox_attempt_idx').on(t.lastAttemptAt),
    index('mail_outbox_finished_idx').on(t.finishedAt),
    // A mailing reaches each person once; its progress is counted by status.
    uniqueIndex('mail_outbox_mailing_user_unique')
      .on(t.mailingId, t.userId)
      .where(sql`mailing_id is not null`),
    index('mail_outbox_mailing_status_idx').on(t.mailingId, t.status),
  ],
);

/**
 * What a person is told about (src/services/notifications.ts). One row per person, topic and kind
 * while unread for replies ("4 new replies in …": `count` grows); one per post for the rest. A
 * notification about a post nobody may read any more (removed, held, deleted) is not shown. Read
 * when the person opens the post's page, or marks everything read. Exported and erased with the
 * account.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    /** the (first unread) post it is about */
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** who did it (the last of them for a grouped entry); null once their account is gone */
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** posts gathered in this entry (replies in one topic, until read) */
    count: integer('count').notNull().default(1),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
    /**
     * when the email step looked at this entry (and queued an email for its topic if the person
     * gets this kind by email); null again when the entry becomes news again after being read
     */
    mailCheckedAt: integer('mail_checked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // The email step's walk over the entries it has not looked at yet.
    index('notifications_mail_unchecked_idx')
      .on(t.createdAt)
      .where(sql`${t.mailCheckedAt} is null`),
    // The page (newest first) and the header's unread count.
    index('notifications_user_created_idx').on(t.userId, t.createdAt),
    index('notifications_user_unread_idx').on(t.userId, t.readAt),
    index('notifications_topic_idx').on(t.topicId),
    // One notification per person and post: a reply that quotes and mentions you is one.
    uniqueIndex('notifications_user_post_unique').on(t.userId, t.postId),
  ],
);

/**
 * Work written in the same batch as the post that causes it: a loop turns each row into
 * notifications (src/services/notifications.ts), so that posting never waits for the fan-out and
 * a crash in between loses none. A claim (`leaseUntil`) lets several loops run at once.
 */
export const notificationJobs = sqliteTable('notification_jobs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: integer('post_id')
    .notNull()
    .references(() => posts.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  leaseUntil: integer('lease_until', { mode: 'timestamp_ms' }),
  attempts: integer('attempts').notNull().default(0),
});

/**
 * How closely a person follows a topic (src/services/watching.ts): watching (every new post),
 * tracking, normal, muted. Written for the author of a new topic (watching) and for a replier
 * with no row yet (tracking); otherwise chosen on the topic's page. No row means the forum's
 * level decides. Exported and erased with the account.
 */
export const topicWatches = sqliteTable(
  'topic_watches',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    level: text('level', { enum: TOPIC_WATCH_LEVELS }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.topicId] }),
    // The fan-out: who watches (or muted) this topic.
    index('topic_watches_topic_level_idx').on(t.topicId, t.level),
  ],
);

/**
 * How closely a person follows a forum: a topic's levels plus watching first post (new topics
 * only). Chosen on the forum's page. Exported and erased with the account.
 */
export const forumWatches = sqliteTable(
  'forum_watches',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    forumId: integer('forum_id')
      .notNull()
      .references(() => forums.id, { onDelete: 'cascade' }),
    level: text('level', { enum: FORUM_WATCH_LEVELS }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.forumId] }),
    index('forum_watches_forum_level_idx').on(t.forumId, t.level),
  ],
);
