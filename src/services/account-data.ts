/**
 * "Download everything we hold about you": the export of one account, as a JSON document whose
 * format is described here (the types below, field by field) and in docs/account-export.md.
 *
 * What it covers is what db/schema.ts lists as personal data: the `users` row, the account's
 * sessions, its Plimus identity link and purchases, pending email confirmations and password
 * resets, the records of the emails sent to it, and the authorship of posts, revisions, topics
 * and reports, the likes it gave, how far it read each topic, its notifications, the topics and forums it watches (plus moderation records about the
 * account or made by it). Secrets never leave the
 * database: no password hash, no session id or secret hash, no confirmation or reset token hash,
 * no email's links, and no identity tokens (none are stored).
 *
 * Everything is read in one batch, so the export is one consistent snapshot.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import {
  emailConfirmations,
  forums,
  forumWatches,
  identityLinks,
  identityPurchases,
  mailOutbox,
  moderationLog,
  notifications,
  passwordResets,
  pendingEdits,
  postLikes,
  postRevisions,
  posts,
  products,
  reports,
  sessions,
  topicReads,
  topics,
  topicWatches,
  users,
  vendors,
} from '../../db/schema';
import type { DigestChoice, MailKind, MailStatus, NotificationKind } from '../../domain/words';
import type { AppDeps } from '../context';
import { emailKindsOf } from './notification-mail';

/** Name and version of the format; the version goes up when a field changes meaning or goes. */
export const EXPORT_FORMAT = 'plimus-forums-account-export';
export const EXPORT_FORMAT_VERSION = 3;

/** Times are ISO 8601 strings in UTC; `null` where the thing never happened. */
type Time = string;

export type AccountExport = {
  format: typeof EXPORT_FORMAT;
  formatVersion: typeof EXPORT_FORMAT_VERSION;
  exportedAt: Time;
  /** the forum's address; `url` fields below are under it */
  forum: string;
  profile: {
    /** the account's number inside the forum */
    id: number;
    username: string;
    /** shown instead of the username when set */
    displayName: string | null;
    bio: string;
    /** never shown on the forums */
    email: string | null;
    /** when the address was confirmed (a link followed, or the Plimus identity verified it) */
    emailConfirmedAt: Time | null;
    /** mail to the address has been refused for good since then, with the server's reply code */
    emailFailing: { since: Time; code: string | null } | null;
    role: 'member' | 'moderator' | 'admin';
    createdAt: Time;
    /** the account signs in with a password (the password is kept only as a scrypt hash) */
    hasPassword: boolean;
    /** when the person confirmed being 13 or older (no birth date is asked or kept) */
    ageConfirmedAt: Time | null;
    /** when the person acknowledged that posts are public */
    publicAckAt: Time | null;
    /** the privacy-notice version whose change banner the person dismissed */
    policyVersionSeen: string | null;
    postCount: number;
    lastPostedAt: Time | null;
    preferences: {
      announcementsOptIn: boolean;
      /** no email at all but service notices */
      optionalEmailOff: boolean;
      showBuyerBadge: boolean;
      /** the notification kinds emailed "when away" (since version 3) */
      notificationEmails: NotificationKind[];
      /** a summary of unread notifications by email, and when the last was queued (since version 3) */
      digest: DigestChoice;
      digestQueuedAt: Time | null;
    };
    /** the privacy-notice version whose change the person was emailed about */
    policyVersionMailed: string | null;
    /** restrictions a moderator placed on the account */
    moderation: {
      suspendedUntil: Time | null;
      suspendedReason: string | null;
      postsNeedApproval: boolean;
    };
  };
  /** every post the person wrote, oldest first, whatever became of it */
  posts: {
    id: number;
    url: string;
    topic: { id: number; title: string };
    /** position in the topic (1 = the post that started it) */
    number: number;
    createdAt: Time;
    editedAt: Time | null;
    /** `visible`, or `held` for a moderator's approval */
    state: 'visible' | 'held';
    /** deleted by the person: no longer shown */
    deletedAt: Time | null;
    /** removed by a moderator, with the reason and the moderator's note */
    removal: { at: Time; reason: string | null; note: string | null } | null;
    /** the current text, as written (markdown) */
    bodyMarkdown: string;
    /** earlier versions, oldest first; the current text is `bodyMarkdown` */
    revisions: { number: number; bodyMarkdown: string; writtenAt: Time; editedByYou: boolean }[];
    /** an edit waiting for a moderator's approval, not shown to others yet */
    pendingEdit: { bodyMarkdown: string; writtenAt: Time } | null;
  }[];
  topicsStarted: {
    id: number;
    url: string;
    title: string;
    forum: { slug: string; name: string };
    kind: 'discussion' | 'question';
    createdAt: Time;
    removedAt: Time | null;
  }[];
  /** posts the person reported to the moderators */
  reports: {
    id: number;
    postId: number;
    reason: string;
    note: string;
    status: 'open' | 'resolved' | 'dismissed';
    createdAt: Time;
    resolvedAt: Time | null;
  }[];
  /** posts the person liked, oldest first */
  likes: { postId: number; url: string; likedAt: Time }[];
  /** how far the person has read each topic they opened: the last post number shown to them */
  reading: { topicId: number; url: string; lastReadPostNumber: number; updatedAt: Time }[];
  /** what the person was told about, oldest first (who did it is not included: their name) */
  notifications: {
    kind: string;
    postId: number;
    url: string;
    count: number;
    createdAt: Time;
    readAt: Time | null;
  }[];
  /** how closely the person follows topics and forums (watching, tracking, normal, muted…) */
  watching: {
    topics: { topicId: number; url: string; level: string; updatedAt: Time }[];
    forums: { forumId: number; url: string; level: string; updatedAt: Time }[];
  };
  /** the linked Plimus identity; tokens are never stored, so there are none to export */
  identity: {
    provider: string;
    issuer: string;
    /** the identity's subject (`sub`): its id at the provider */
    subject: string;
    linkedAt: Time;
    claimsRefreshedAt: Time;
    /** the vendor whose staff the identity belongs to */
    vendor: { id: string; name: string } | null;
    /** products the identity says the person bought (for the verified-buyer badge) */
    purchases: { productId: string; name: string | null }[];
  } | null;
  /** sessions that are signed in now (no IP address is ever stored) */
  sessions: {
    createdAt: Time;
    lastUsedAt: Time;
    expiresAt: Time;
    /** "keep me signed in" */
    remembered: boolean;
    /** the last fresh Plimus sign-in in this session */
    freshSignInAt: Time | null;
    /**
     * the browser and system that signed in, as read from its User-Agent ("Firefox on Linux");
     * null when it was not recognised
     */
    device: string | null;
  }[];
  /**
   * confirmation links that still work: for the address on file (`confirm`) or for a new
   * address (`change`, which becomes the account's address when the link is followed)
   */
  pendingEmailConfirmations: {
    email: string;
    purpose: 'confirm' | 'change';
    createdAt: Time;
    expiresAt: Time;
  }[];
  /** password-reset links asked for that still work (at most one) */
  pendingPasswordResets: { createdAt: Time; expiresAt: Time }[];
  /**
   * the emails the forum sent you, or is sending, oldest first: kept 30 days after they were
   * sent or given up, without their text, links or address
   */
  emails: {
    kind: MailKind;
    status: MailStatus;
    createdAt: Time;
    /** sent, given up or dropped */
    finishedAt: Time | null;
    attempts: number;
    /** the receiving server's reply code of the last failure */
    lastError: string | null;
  }[];
  /** moderation records: actions taken on this account, and (for staff) actions it took */
  moderationLog: {
    aboutYou: { action: string; reason: string | null; createdAt: Time }[];
    byYou: {
      action: string;
      targetType: string;
      targetId: number;
      reason: string | null;
      createdAt: Time;
    }[];
  };
};

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** @throws Error when the account does not exist (the caller is signed in as it) */
export async function exportAccountData(deps: AppDeps, userId: number): Promise<AccountExport> {
  const { db } = deps;
  const origin = deps.config.publicOrigin;
  const ownPosts = db.select({ id: posts.id }).from(posts).where(eq(posts.userId, userId));
  const ownLinks = db
    .select({ id: identityLinks.id })
    .from(identityLinks)
    .where(eq(identityLinks.userId, userId));
  const [
    [user],
    postRows,
    revisionRows,
    topicRows,
    reportRows,
    linkRows,
    purchaseRows,
    sessionRows,
    confirmationRows,
    resetRows,
    mailRows,
    aboutRows,
    byRows,
    likeRows,
    readRows,
    notificationRows,
    topicWatchRows,
    forumWatchRows,
  ] = await db.batch([
    db.select().from(users).where(eq(users.id, userId)),
    db
      .select({
        post: posts,
        topicTitle: topics.title,
        // Inside a batch, D1 returns rows as objects: no two columns may share a name.
        pendingMarkdown: sql<string | null>`${pendingEdits.bodyMarkdown}`.as('pending_markdown'),
        pendingAt: sql<number | null>`${pendingEdits.createdAt}`.as('pending_at'),
      })
      .from(posts)
      .innerJoin(topics, eq(topics.id, posts.topicId))
      .leftJoin(pendingEdits, eq(pendingEdits.postId, posts.id))
      .where(eq(posts.userId, userId))
      .orderBy(asc(posts.createdAt), asc(posts.id)),
    db
      .select()
      .from(postRevisions)
      .where(inArray(postRevisions.postId, ownPosts))
      .orderBy(asc(postRevisions.postId), asc(postRevisions.number)),
    db
      .select({
        // Inside a batch, D1 returns rows as objects: no two columns may share a name.
        id: topics.id,
        title: topics.title,
        slug: topics.slug,
        kind: topics.kind,
        createdAt: topics.createdAt,
        removedAt: topics.removedAt,
        forumSlug: sql<string>`${forums.slug}`.as('forum_slug'),
        forumName: sql<string>`${forums.name}`.as('forum_name'),
      })
      .from(topics)
      .innerJoin(forums, eq(forums.id, topics.forumId))
      .where(eq(topics.userId, userId))
      .orderBy(asc(topics.createdAt), asc(topics.id)),
    db
      .select()
      .from(reports)
      .where(eq(reports.reporterId, userId))
      .orderBy(asc(reports.createdAt), asc(reports.id)),
    db
      .select({ link: identityLinks, vendorId: vendors.plimusVendorId, vendorName: vendors.name })
      .from(identityLinks)
      .leftJoin(vendors, eq(vendors.id, identityLinks.vendorId))
      .where(eq(identityLinks.userId, userId)),
    db
      .select({ productId: identityPurchases.plimusProductId, name: products.name })
      .from(identityPurchases)
      .leftJoin(products, eq(products.plimusProductId, identityPurchases.plimusProductId))
      .where(inArray(identityPurchases.linkId, ownLinks))
      .orderBy(asc(identityPurchases.plimusProductId)),
    db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt)),
    db
      .select()
      .from(emailConfirmations)
      .where(eq(emailConfirmations.userId, userId))
      .orderBy(asc(emailConfirmations.createdAt)),
    db
      .select({ createdAt: passwordResets.createdAt, expiresAt: passwordResets.expiresAt })
      .from(passwordResets)
      .where(eq(passwordResets.userId, userId))
      .orderBy(asc(passwordResets.createdAt)),
    db
      .select({
        kind: mailOutbox.kind,
        status: mailOutbox.status,
        createdAt: mailOutbox.createdAt,
        finishedAt: mailOutbox.finishedAt,
        attempts: mailOutbox.attempts,
        lastError: mailOutbox.lastError,
      })
      .from(mailOutbox)
      .where(eq(mailOutbox.userId, userId))
      .orderBy(asc(mailOutbox.id)),
    db
      .select()
      .from(moderationLog)
      .where(and(eq(moderationLog.targetType, 'user'), eq(moderationLog.targetId, userId)))
      .orderBy(asc(moderationLog.createdAt)),
    db
      .select()
      .from(moderationLog)
      .where(eq(moderationLog.moderatorId, userId))
      .orderBy(asc(moderationLog.createdAt)),
    db
      .select({ postId: postLikes.postId, createdAt: postLikes.createdAt })
      .from(postLikes)
      .where(eq(postLikes.userId, userId))
      .orderBy(asc(postLikes.createdAt), asc(postLikes.postId)),
    db
      .select({
        topicId: topicReads.topicId,
        number: topicReads.lastReadNumber,
        updatedAt: topicReads.updatedAt,
      })
      .from(topicReads)
      .where(eq(topicReads.userId, userId))
      .orderBy(asc(topicReads.topicId)),
    db
      .select({
        kind: notifications.kind,
        postId: notifications.postId,
        count: notifications.count,
        createdAt: notifications.createdAt,
        readAt: notifications.readAt,
      })
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(asc(notifications.createdAt), asc(notifications.id)),
    db
      .select({
        topicId: topicWatches.topicId,
        level: topicWatches.level,
        updatedAt: topicWatches.updatedAt,
      })
      .from(topicWatches)
      .where(eq(topicWatches.userId, userId))
      .orderBy(asc(topicWatches.topicId)),
    db
      .select({
        forumId: forumWatches.forumId,
        slug: forums.slug,
        level: forumWatches.level,
        updatedAt: forumWatches.updatedAt,
      })
      .from(forumWatches)
      .innerJoin(forums, eq(forums.id, forumWatches.forumId))
      .where(eq(forumWatches.userId, userId))
      .orderBy(asc(forumWatches.forumId)),
  ]);
  if (!user) throw new Error('the account to export does not exist');

  const revisionsOf = new Map<number, AccountExport['posts'][number]['revisions']>();
  for (const r of revisionRows) {
    const list = revisionsOf.get(r.postId) ?? [];
    list.push({
      number: r.number,
      bodyMarkdown: r.bodyMarkdown,
      writtenAt: iso(r.createdAt),
      editedByYou: r.editorId === userId,
    });
    revisionsOf.set(r.postId, list);
  }
  const link = linkRows[0];

  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    exportedAt: iso(new Date(deps.now())),
    forum: origin,
    profile: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      bio: user.bio,
      email: user.email,
      emailConfirmedAt: isoOrNull(user.emailConfirmedAt),
      emailFailing: user.emailFailedAt
        ? { since: iso(user.emailFailedAt), code: user.emailFailure }
        : null,
      role: user.role,
      createdAt: iso(user.createdAt),
      hasPassword: !!user.passwordHash,
      ageConfirmedAt: isoOrNull(user.ageConfirmedAt),
      publicAckAt: isoOrNull(user.publicAckAt),
      policyVersionSeen: user.policyVersionSeen,
      postCount: user.postCount,
      lastPostedAt: isoOrNull(user.lastPostedAt),
      preferences: {
        announcementsOptIn: user.announcementsOptIn,
        optionalEmailOff: user.optionalEmailOff,
        showBuyerBadge: user.showBuyerBadge,
        notificationEmails: emailKindsOf(user.notificationEmailKinds),
        digest: user.digest,
        digestQueuedAt: isoOrNull(user.digestQueuedAt),
      },
      policyVersionMailed: user.policyVersionMailed,
      moderation: {
        suspendedUntil: isoOrNull(user.suspendedUntil),
        suspendedReason: user.suspendedReason,
        postsNeedApproval: user.postsNeedApproval,
      },
    },
    posts: postRows.map(({ post: p, topicTitle, pendingMarkdown, pendingAt }) => ({
      id: p.id,
      url: `${origin}/p/${p.id}`,
      topic: { id: p.topicId, title: topicTitle },
      number: p.number,
      createdAt: iso(p.createdAt),
      editedAt: isoOrNull(p.editedAt),
      state: p.state,
      deletedAt: isoOrNull(p.deletedAt),
      removal: p.removedAt
        ? { at: iso(p.removedAt), reason: p.removedReason, note: p.removedNote }
        : null,
      bodyMarkdown: p.bodyMarkdown,
      revisions: revisionsOf.get(p.id) ?? [],
      pendingEdit:
        pendingMarkdown !== null && pendingAt !== null
          ? { bodyMarkdown: pendingMarkdown, writtenAt: iso(new Date(Number(pendingAt))) }
          : null,
    })),
    topicsStarted: topicRows.map(({ forumSlug, forumName, ...t }) => ({
      id: t.id,
      url: `${origin}/t/${t.id}/${t.slug}`,
      title: t.title,
      forum: { slug: forumSlug, name: forumName },
      kind: t.kind,
      createdAt: iso(t.createdAt),
      removedAt: isoOrNull(t.removedAt),
    })),
    reports: reportRows.map((r) => ({
      id: r.id,
      postId: r.postId,
      reason: r.reason,
      note: r.note,
      status: r.status,
      createdAt: iso(r.createdAt),
      resolvedAt: isoOrNull(r.resolvedAt),
    })),
    likes: likeRows.map((l) => ({
      postId: l.postId,
      url: `${origin}/p/${l.postId}`,
      likedAt: iso(l.createdAt),
    })),
    reading: readRows.map((r) => ({
      topicId: r.topicId,
      url: `${origin}/t/${r.topicId}`,
      lastReadPostNumber: r.number,
      updatedAt: iso(r.updatedAt),
    })),
    notifications: notificationRows.map((n) => ({
      kind: n.kind,
      postId: n.postId,
      url: `${origin}/p/${n.postId}`,
      count: n.count,
      createdAt: iso(n.createdAt),
      readAt: isoOrNull(n.readAt),
    })),
    watching: {
      topics: topicWatchRows.map((w) => ({
        topicId: w.topicId,
        url: `${origin}/t/${w.topicId}`,
        level: w.level,
        updatedAt: iso(w.updatedAt),
      })),
      forums: forumWatchRows.map((w) => ({
        forumId: w.forumId,
        url: `${origin}/f/${w.slug}`,
        level: w.level,
        updatedAt: iso(w.updatedAt),
      })),
    },
    identity: link
      ? {
          provider: link.link.provider,
          issuer: link.link.issuer,
          subject: link.link.subject,
          linkedAt: iso(link.link.linkedAt),
          claimsRefreshedAt: iso(link.link.claimsRefreshedAt),
          vendor:
            link.vendorId !== null && link.vendorName !== null
              ? { id: link.vendorId, name: link.vendorName }
              : null,
          purchases: purchaseRows.map((p) => ({ productId: p.productId, name: p.name })),
        }
      : null,
    sessions: sessionRows.map((s) => ({
      createdAt: iso(s.createdAt),
      lastUsedAt: iso(s.lastUsedAt),
      expiresAt: iso(s.expiresAt),
      remembered: s.remember,
      freshSignInAt: isoOrNull(s.freshAuthAt),
      device: s.device,
    })),
    pendingEmailConfirmations: confirmationRows.map((e) => ({
      email: e.email,
      purpose: e.email.toLowerCase() === user.emailKey ? 'confirm' : 'change',
      createdAt: iso(e.createdAt),
      expiresAt: iso(e.expiresAt),
    })),
    pendingPasswordResets: resetRows.map((r) => ({
      createdAt: iso(r.createdAt),
      expiresAt: iso(r.expiresAt),
    })),
    emails: mailRows.map((m) => ({
      kind: m.kind,
      status: m.status,
      createdAt: iso(m.createdAt),
      finishedAt: isoOrNull(m.finishedAt),
      attempts: m.attempts,
      lastError: m.lastError,
    })),
    moderationLog: {
      aboutYou: aboutRows.map((m) => ({
        action: m.action,
        reason: m.reason,
        createdAt: iso(m.createdAt),
      })),
      byYou: byRows.map((m) => ({
        action: m.action,
        targetType: m.targetType,
        targetId: m.targetId,
        reason: m.reason,
        createdAt: iso(m.createdAt),
      })),
    },
  };
}

/** The file name of an export: the forum, the username and the day, e.g. `…-alice-2026-11-25.json`. */
export function exportFileName(username: string, at: number): string {
  return `plimus-forums-${username}-${new Date(at).toISOString().slice(0, 10)}.json`;
}
