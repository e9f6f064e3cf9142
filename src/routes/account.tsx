import { type Context, Hono } from 'hono';
import { AccountPage } from '../../views/pages/account';
import type { AppEnv, Viewer } from '../context';
import { ForbiddenError, FormError } from '../errors';
import { changePassword } from '../services/accounts';
import { changePasswordForm, parseForm } from '../validation/forms';
import { readForm } from './forms';
import { frameOf } from './frame';

function signedIn(c: Context<AppEnv>): Viewer {
  const viewer = c.get('viewer');
  if (!viewer) throw new ForbiddenError('Please sign in to see your account.');
  return viewer;
}

const NOTICES: Record<string, string> = {
  password: 'Your password was changed. Every other session of your account was signed out.',
};

export const accountRoutes = new Hono<AppEnv>()
  .get('/account', (c) => {
    const viewer = signedIn(c);
    return c.html(
      <AccountPage
        frame={frameOf(c)}
        username={viewer.username}
        notice={NOTICES[c.req.query('done') ?? '']}
        passwordErrors={{}}
        hasPassword={!!viewer.passwordHash}
      />,
    );
  })
  .post('/account/password', async (c) => {
    const deps = c.get('deps');
    const viewer = signedIn(c);
    const page = (errors: Record<string, string>) => (
      <AccountPage
        frame={frameOf(c)}
        username={viewer.username}
        passwordErrors={errors}
        hasPassword={!!viewer.passwordHash}
      />
    );
    const parsed = parseForm(changePasswordForm, await readForm(c));
    if (!parsed.ok) return c.html(page(parsed.errors), 422);
    try {
      await changePassword(
        deps,
        { id: viewer.id, sessionId: viewer.session.id },
        { currentPassword: parsed.data.current_password, newPassword: parsed.data.new_password },
      );
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(page(err.fields), err.status);
    }
    return c.redirect('/account?done=password', 303);
  });
