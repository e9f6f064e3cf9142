import type { Context } from 'hono';
import type { Frame } from '../../views/layouts/site';
import type { AppEnv } from '../context';

/** What the layout needs to know about this request. */
export function frameOf(c: Context<AppEnv>): Frame {
  const url = new URL(c.req.url);
  const viewer = c.get('viewer') ?? null;
  return {
    viewer: viewer ? { username: viewer.username } : null,
    path: `${url.pathname}${url.search}`,
  };
}
