import { Hono } from 'hono';
import * as z from 'zod';
import { ProfilePage } from '../../views/pages/profile';
import type { AppEnv } from '../context';
import { canModerate } from '../policy/moderation';
import { getPublicProfile, listProfilePosts } from '../services/users';
import { parseQuery } from '../validation/fields';
import { frameOf } from './frame';

const profileQuery = z.object({
  before: z
    .string()
    .regex(/^\d{1,15}\.\d{1,15}$/, 'That page link is not valid; start from the most recent posts.')
    .optional(),
});

export const userRoutes = new Hono<AppEnv>().get('/u/:username', async (c) => {
  const deps = c.get('deps');
  const { before } = parseQuery(profileQuery, c.req.query());
  const profile = await getPublicProfile(deps, c.req.param('username'));
  const page = await listProfilePosts(deps, profile.id, before);
  const base = `/u/${profile.username}`;
  return c.html(
    <ProfilePage
      frame={frameOf(c)}
      moderate={canModerate(c.get('viewer'), deps.now())}
      profile={profile}
      posts={page.posts}
      olderHref={page.olderCursor ? `${base}?before=${page.olderCursor}` : null}
      newerHref={before ? base : null}
    />,
  );
});
