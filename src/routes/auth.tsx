import { Hono } from 'hono';
import { LoginPage } from '../../views/pages/login';
import { RegisterPage } from '../../views/pages/register';
import { clearSessionCookie } from '../auth/cookies';
import { deviceName } from '../auth/device';
import { invalidateSession } from '../auth/session';
import type { AppEnv } from '../context';
import { login, register, registrationProblems } from '../services/accounts';
import { loginForm, registerForm } from '../validation/forms';
import { safeNext } from './forms';
import { frameOf } from './frame';
import { signedIn } from './signed-in';
import { submitForm } from './submit-form';

export const authRoutes = new Hono<AppEnv>()
  .get('/register', (c) => {
    const next = safeNext(c.req.query('next'), c.get('deps').config.publicOrigin);
    if (c.get('viewer')) return c.redirect(next, 303);
    return c.html(
      <RegisterPage
        frame={frameOf(c)}
        plimus={!!c.get('deps').plimus}
        passwordReset={c.get('deps').mail.available}
        values={{}}
        next={next}
        errors={{}}
      />,
    );
  })
  .post('/register', async (c) => {
    const deps = c.get('deps');
    // Signed in already: no second account from this browser (and no lost session).
    if (c.get('viewer')) return c.redirect('/', 303);
    return submitForm(
      c,
      registerForm,
      (input, errors) => (
        <RegisterPage
          frame={frameOf(c)}
          plimus={!!deps.plimus}
          passwordReset={deps.mail.available}
          values={{
            username: input.username,
            email: input.email,
            age_confirmed: !!input.age_confirmed,
          }}
          next={safeNext(input.next, deps.config.publicOrigin)}
          errors={errors}
        />
      ),
      (d) => register(deps, c.get('client'), d, deviceName(c.req.header('user-agent'))),
      (created, d) => signedIn(c, created, 'joined', d.next),
      // Every field's problem in one answer: a taken username too, when the name itself is valid.
      (input, errors) =>
        errors.username ? Promise.resolve({}) : registrationProblems(deps, input),
    );
  })
  .get('/login', (c) => {
    const next = safeNext(c.req.query('next'), c.get('deps').config.publicOrigin);
    if (c.get('viewer')) return c.redirect(next, 303);
    return c.html(
      <LoginPage
        frame={frameOf(c)}
        plimus={!!c.get('deps').plimus}
        values={{}}
        next={next}
        errors={{}}
        demo={c.get('deps').demo}
        notice={
          c.req.query('done') === 'password-reset'
            ? 'Your new password is saved, and your account was signed out everywhere. Sign in with the new password.'
            : undefined
        }
      />,
    );
  })
  .post('/login', async (c) => {
    const deps = c.get('deps');
    const next = (input: Record<string, string>) => safeNext(input.next, deps.config.publicOrigin);
    return submitForm(
      c,
      loginForm,
      (input, errors) => (
        <LoginPage
          frame={frameOf(c)}
          plimus={!!deps.plimus}
          values={{ login: input.login, remember: !!input.remember }}
          next={next(input)}
          errors={errors}
          demo={deps.demo}
        />
      ),
      (d) => login(deps, c.get('client'), d, deviceName(c.req.header('user-agent'))),
      (created, d) => signedIn(c, created, 'signed-in', d.next),
    );
  })
  .post('/logout', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    if (viewer) await invalidateSession(deps, viewer.session.id);
    clearSessionCookie(c, deps.config.publicOrigin);
    return c.redirect('/', 303);
  });
