import type { Context } from 'hono';
import type { Frame } from '../../views/layouts/site';
import { CURRENT_PRIVACY } from '../content/privacy';
import type { AppEnv } from '../context';
import { canAdminister, canModerate } from '../policy/moderation';
import { canSeeVendorDashboard } from '../policy/vendors';

/** What the layout needs to know about this request. */
export function frameOf(c: Context<AppEnv>): Frame {
  const url = new URL(c.req.url);
  const viewer = c.get('viewer') ?? null;
  const now = c.get('deps')?.now() ?? Date.now();
  const counts = c.get('headerCounts');
  return {
    viewer: viewer
      ? {
          username: viewer.username,
          vendor: canSeeVendorDashboard(viewer),
          moderator: canModerate(viewer, now),
          admin: canAdminister(viewer, now),
          notifications: counts?.notifications ?? null,
          queue: counts?.queue ?? null,
          questions: counts?.questions ?? null,
        }
      : null,
    path: `${url.pathname}${url.search}`,
    // Until the person dismisses it (POST /account/privacy-notice/dismiss), every page says that
    // the privacy notice changed since they last looked.
    banner: viewer && viewer.policyVersionSeen !== CURRENT_PRIVACY.version ? CURRENT_PRIVACY : null,
    flash: c.get('flash'),
  };
}
