/**
 * The words of a notification, the same on /notifications and in the private feed: who did what,
 * up to the topic's title.
 */
import type { NotificationKind } from '../../domain/words';

export type NotificationFacts = {
  kind: NotificationKind;
  count: number;
  /** who did it; null once their account is gone */
  actor: string | null;
  /** why the post was removed, for a notice that it was */
  reason: string | null;
};

/** What a notification says, up to the topic's title (which follows it). */
export function notificationText(n: NotificationFacts): string {
  const who = n.actor ?? 'A deleted user';
  const phrases: Partial<Record<NotificationKind, string>> = {
    mention: `${who} mentioned you in`,
    quote: `${who} quoted you in`,
    answer_accepted: `${who} accepted your answer in`,
    vendor_answered: `${who}, of the vendor, answered your question`,
    post_removed: `A moderator removed your post${n.reason ? ` (${n.reason.replace('_', ' ')})` : ''} in`,
    post_restored: 'A moderator restored your post in',
    post_approved: 'A moderator approved your post in',
    post_refused: `A moderator did not approve your post${n.reason ? ` (${n.reason.replace('_', ' ')})` : ''} in`,
    report_resolved: `Your report was dealt with: ${n.reason ? 'the post was removed' : 'the moderators left the post up'}, in`,
    watched_topic_post:
      n.count > 1
        ? `${n.count.toLocaleString('en-US')} new posts, the last by ${who}, in`
        : `${who} posted in`,
    watched_forum_topic: `${who} started a topic in a forum you watch:`,
    like:
      n.count > 1
        ? `${n.count.toLocaleString('en-US')} likes, the last from ${who}, on your post in`
        : `${who} liked your post in`,
    reply:
      n.count > 1
        ? `${n.count.toLocaleString('en-US')} new replies, the last by ${who}, in`
        : `${who} replied in`,
  };
  return phrases[n.kind] ?? `${who} posted in`;
}

/** What each kind is, for the email choices, the unsubscribe page and the emails' links. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  reply: 'replies to your posts and topics',
  quote: 'quotes of your posts',
  mention: 'mentions of you',
  answer_accepted: 'your answers accepted',
  vendor_answered: 'a vendor answering your question',
  watched_topic_post: 'new posts in topics you watch',
  watched_forum_topic: 'new topics in forums you watch',
  post_removed: 'your posts removed by a moderator',
  post_restored: 'your posts restored',
  post_approved: 'your held posts approved',
  post_refused: 'your held posts not approved',
  report_resolved: 'your reports dealt with',
  like: 'likes of your posts',
};
