import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { describeError } from '../errors';
import { unreadNotificationCount } from '../services/notifications';

/**
 * The unread count for the header's "Notifications (N)": one query on the person's own index,
 * for pages (GET, no file extension) of signed-in people only. A database that cannot answer it
 * leaves the count out rather than the page.
 */
export function notificationCount(): MiddlewareHandler<AppEnv> {
  return async function notificationCountMiddleware(c, next) {
    const viewer = c.get('viewer');
    if (viewer && c.req.method === 'GET' && !/\.[a-z]{1,8}$/.test(c.req.path)) {
      try {
        c.set('unreadNotifications', await unreadNotificationCount(c.get('deps'), viewer.id));
      } catch (err) {
        c.get('log')(`notification count ${describeError(err)}`);
      }
    }
    await next();
  };
}
