/**
 * The forum's vocabulary: the fixed sets of words its rules, pages, forms and tables speak in.
 * The schema stores them (`db/schema.ts` takes its column enums from here), the policy decides
 * by them, the views name them; none of those reaches into another layer to learn them.
 * Words only: no rules, no labels, no imports.
 */

/** Vendor staff is not a role: it comes from the linked Plimus identity. */
export const ROLES = ['member', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The groups of the forum index, in their order. */
export const FORUM_CATEGORIES = ['products', 'marketplace', 'community'] as const;
export type ForumCategory = (typeof FORUM_CATEGORIES)[number];

export const TOPIC_KINDS = ['discussion', 'question'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** A held post (or topic) waits for a moderator's approval and is seen by its author and moderators. */
export const POST_STATES = ['visible', 'held'] as const;
export type PostState = (typeof POST_STATES)[number];

/** Why a post is reported, and why a moderator removes one. */
export const REPORT_REASONS = ['spam', 'abuse', 'personal_data', 'off_topic', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export const REPORT_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** What a watched word does to a post that contains it. */
export const WATCHED_WORD_ACTIONS = ['block', 'hold'] as const;
export type WatchedWordAction = (typeof WATCHED_WORD_ACTIONS)[number];

/** What a person is told about in the forum (and, if they choose, by email). */
export const NOTIFICATION_KINDS = [
  /** a reply to their post or topic */
  'reply',
  'quote',
  'mention',
  /** their answer was accepted */
  'answer_accepted',
  /** vendor staff answered their question */
  'vendor_answered',
  /** a new post in a topic they watch */
  'watched_topic_post',
  /** a new topic in a forum they watch */
  'watched_forum_topic',
  'post_removed',
  'post_restored',
  'post_approved',
  'post_refused',
  /** a report they made was resolved */
  'report_resolved',
  'like',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * The notice kinds shown although their post may be one nobody else can read: its author is told
 * that it was removed or refused (and why), a reporter that their report was dealt with.
 */
export const SHOWN_UNREADABLE: readonly NotificationKind[] = [
  'post_removed',
  'post_refused',
  'report_resolved',
];

/**
 * The kinds addressed to the person directly: by email "when away" unless they choose otherwise
 * (for a confirmed address); every other kind is in the forum only unless they choose email.
 */
export const DIRECT_NOTIFICATION_KINDS = [
  'reply',
  'quote',
  'mention',
  'answer_accepted',
  'vendor_answered',
] as const satisfies readonly NotificationKind[];

/** A summary of unread notifications by email: never (the default), once a day or once a week. */
export const DIGEST_CHOICES = ['off', 'daily', 'weekly'] as const;
export type DigestChoice = (typeof DIGEST_CHOICES)[number];

/**
 * How closely a person follows a topic: every new post, unread counts (notified when addressed),
 * notified only when addressed, never.
 */
export const TOPIC_WATCH_LEVELS = ['watching', 'tracking', 'normal', 'muted'] as const;
export type TopicWatchLevel = (typeof TOPIC_WATCH_LEVELS)[number];

/** A forum's levels are a topic's, plus watching new topics only. */
export const FORUM_WATCH_LEVELS = [
  'watching',
  'watching_first_post',
  'tracking',
  'normal',
  'muted',
] as const;
export type ForumWatchLevel = (typeof FORUM_WATCH_LEVELS)[number];

/** The emails the forum sends. */
export const MAIL_KINDS = [
  /** a link to confirm the address on file (after joining, or asked for again) */
  'email_confirmation',
  /** a link to confirm a new address, sent to that address */
  'email_change',
  /** to an address another account tried to take: someone tried, nothing changed */
  'email_in_use',
  'password_reset',
  /** a reset asked for an account that signs in only with Plimus: reset it there */
  'password_reset_plimus',
  /** after a reset: "this wasn't me" */
  'password_changed',
  'policy_change',
  'announcement',
  'notification',
  'digest',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/**
 * Where an email is: waiting (or being tried again), sent, given up (refused for good or tried
 * too often), or dropped before sending (its reason went away: the person unsubscribed, the
 * announcement was removed).
 */
export const MAIL_STATUSES = ['queued', 'sent', 'dead', 'dropped'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** Emails sent to many people at once, from one event. */
export const MAILING_KINDS = ['policy_change', 'announcement'] as const;
export type MailingKind = (typeof MAILING_KINDS)[number];

/**
 * What a one-click unsubscribe link stops: announcements, every email that is not a service
 * notice, the summary of notifications, email about one topic (`topic-<id>`), or one kind of notification by email
 * (`kind-<kind>`).
 */
export const UNSUBSCRIBE_SCOPES = ['announcements', 'all', 'digest'] as const;
export type UnsubscribeScope =
  | (typeof UNSUBSCRIBE_SCOPES)[number]
  | `topic-${number}`
  | `kind-${NotificationKind}`;
