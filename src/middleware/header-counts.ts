import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { describeError } from '../errors';
import { canModerate } from '../policy/moderation';
import { canSeeVendorDashboard } from '../policy/vendors';
import { unreadNotificationCount } from '../services/notifications';
import { moderationQueueCount } from '../services/reports';
import { vendorOpenQuestionCount } from '../services/vendor';

/**
 * The counts in the header of a signed-in person's pages (GET, no file extension): unread
 * notifications, and for moderators what waits in the queue, for vendor staff their open
 * questions. Each is one query on its own index. A database that cannot answer leaves the counts
 * out rather than the page.
 */
export function headerCounts(): MiddlewareHandler<AppEnv> {
  return async function headerCountsMiddleware(c, next) {
    const viewer = c.get('viewer');
    if (viewer && c.req.method === 'GET' && !/\.[a-z]{1,8}$/.test(c.req.path)) {
      const deps = c.get('deps');
      try {
        // One after another: the queries share the connection.
        const notifications = await unreadNotificationCount(deps, viewer.id);
        const queue = canModerate(viewer, deps.now())
          ? await moderationQueueCount(deps)
          : undefined;
        const questions =
          canSeeVendorDashboard(viewer) && viewer.vendorId !== null
            ? await vendorOpenQuestionCount(deps, viewer.vendorId)
            : undefined;
        c.set('headerCounts', { notifications, queue, questions });
      } catch (err) {
        c.get('log')(`header counts ${describeError(err)}`);
      }
    }
    await next();
  };
}
