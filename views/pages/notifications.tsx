import type { NotificationKind } from '../../domain/words';
import type { NotificationView } from '../../src/services/notifications';
import { Age } from '../components/age';
import { Pagination } from '../components/pagination';
import { type Frame, Layout } from '../layouts/site';

export type NotificationsPageProps = {
  frame: Frame;
  items: NotificationView[];
  page: number;
  prevHref: string | null;
  nextHref: string | null;
  now: number;
};

/** What each kind says, with who did it. */
function what(n: NotificationView): string {
  const who = n.actor ?? 'A deleted user';
  const phrases: Partial<Record<NotificationKind, string>> = {
    mention: `${who} mentioned you in`,
    quote: `${who} quoted you in`,
    answer_accepted: `${who} accepted your answer in`,
    vendor_answered: `${who}, of the vendor, answered your question`,
    reply:
      n.count > 1
        ? `${n.count.toLocaleString('en-US')} new replies, the last by ${who}, in`
        : `${who} replied in`,
    watched_topic_post:
      n.count > 1
        ? `${n.count.toLocaleString('en-US')} new posts, the last by ${who}, in`
        : `${who} posted in`,
    watched_forum_topic: `${who} started a topic in a forum you watch:`,
  };
  return phrases[n.kind] ?? `${who} posted in`;
}

/** /notifications: newest first, unread marked, each linking to its post. */
export function NotificationsPage(p: NotificationsPageProps) {
  const unread = p.items.some((n) => !n.read);
  return (
    <Layout
      frame={p.frame}
      title={p.page > 1 ? `Notifications (page ${p.page})` : 'Notifications'}
      description="What happened in the forums that concerns you."
      noindex
    >
      <h1>Notifications</h1>
      {unread ? (
        <form method="post" action="/notifications/read-all" class="inline-form">
          <button type="submit">Mark all read</button>
        </form>
      ) : null}
      {p.items.length === 0 ? (
        <p class="empty">
          Nothing yet. When someone replies to your topics, mentions or quotes you, or accepts your
          answer, it shows here.
        </p>
      ) : (
        <ol class="notification-list" aria-label="Your notifications, newest first">
          {p.items.map((n) => (
            <li class={n.read ? 'notification' : 'notification unread'}>
              {n.read ? null : <span class="notification-new">New: </span>}
              {what(n)} <a href={n.href}>{n.topicTitle}</a>
              {', '}
              <Age date={n.createdAt} now={p.now} />
            </li>
          ))}
        </ol>
      )}
      <Pagination
        label="Pages of notifications"
        page={p.page}
        pageCount={null}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
    </Layout>
  );
}
