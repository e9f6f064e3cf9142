import { Hono } from 'hono';
import { NotificationsPage } from '../../views/pages/notifications';
import type { AppEnv } from '../context';
import { ForbiddenError, NotFoundError } from '../errors';
import { listNotifications, markAllNotificationsRead } from '../services/notifications';
import { pageQuery, parseQuery } from '../validation/fields';
import { frameOf } from './frame';

/** A person's own notifications: theirs only, so signing in is the whole permission. */
export const notificationRoutes = new Hono<AppEnv>()
  .get('/notifications', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect('/login?next=%2Fnotifications', 303);
    const { page } = parseQuery(pageQuery, c.req.query());
    const { items, hasNext } = await listNotifications(c.get('deps'), viewer.id, page);
    if (page > 1 && items.length === 0) {
      throw new NotFoundError('There is no page of notifications with that number.');
    }
    return c.html(
      <NotificationsPage
        frame={frameOf(c)}
        items={items}
        page={page}
        prevHref={page > 1 ? `/notifications${page > 2 ? `?page=${page - 1}` : ''}` : null}
        nextHref={hasNext ? `/notifications?page=${page + 1}` : null}
        now={c.get('deps').now()}
      />,
    );
  })
  // No fields: cross-site posts are refused by the middleware.
  .post('/notifications/read-all', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) throw new ForbiddenError('Please sign in to see your notifications.');
    await markAllNotificationsRead(c.get('deps'), viewer.id);
    return c.redirect('/notifications', 303);
  });
