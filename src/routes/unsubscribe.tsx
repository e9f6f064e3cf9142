/**
 * One-click unsubscribe (RFC 8058), the link of every email a person chose: `POST` (what mailbox
 * providers send, with `List-Unsubscribe=One-Click`, from their own servers) unsubscribes at
 * once without signing in and is exempt from the cross-site check (src/middleware/cross-site.ts):
 * the link's MAC is the proof. `GET` only asks, because link scanners follow links.
 */
import { Hono } from 'hono';
import { UnsubscribePage } from '../../views/pages/unsubscribe';
import type { AppEnv } from '../context';
import { unsubscribeByLink, unsubscribeLinkScope } from '../services/account-settings';
import { frameOf } from './frame';

export const unsubscribeRoutes = new Hono<AppEnv>()
  .get('/email/unsubscribe/:token', async (c) => {
    const token = c.req.param('token');
    const { scope } = await unsubscribeLinkScope(c.get('deps'), token);
    return c.html(<UnsubscribePage frame={frameOf(c)} token={token} scope={scope} done={false} />);
  })
  .post('/email/unsubscribe/:token', async (c) => {
    const token = c.req.param('token');
    const scope = await unsubscribeByLink(c.get('deps'), token);
    return c.html(<UnsubscribePage frame={frameOf(c)} token={token} scope={scope} done />);
  });
