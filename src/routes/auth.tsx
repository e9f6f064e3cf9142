import { Hono } from 'hono';
import { LoginPage } from '../../views/pages/login';
import { RegisterPage } from '../../views/pages/register';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies';
import { invalidateSession } from '../auth/session';
import type { AppEnv } from '../context';
import { FormError } from '../errors';
import { login, register } from '../services/accounts';
import { loginForm, parseForm, registerForm } from '../validation/forms';
import { readForm, retryAfter, safeNext } from './forms';
import { frameOf } from './frame';

export const authRoutes = new Hono<AppEnv>()
  .get('/register', (c) => {
    if (c.get('viewer')) return c.redirect('/', 303);
    return c.html(
      <RegisterPage frame={frameOf(c)} plimus={!!c.get('deps').plimus} values={{}} errors={{}} />,
    );
  })
  .post('/register', async (c) => {
    const deps = c.get('deps');
    // Signed in already: no second account from this browser (and no lost session).
    if (c.get('viewer')) return c.redirect('/', 303);
    const input = await readForm(c);
    const values = {
      username: input.username,
      email: input.email,
      age_confirmed: !!input.age_confirmed,
    };
    const parsed = parseForm(registerForm, input);
    if (!parsed.ok)
      return c.html(
        <RegisterPage
          frame={frameOf(c)}
          plimus={!!c.get('deps').plimus}
          values={values}
          errors={parsed.errors}
        />,
        422,
      );
    try {
      const created = await register(deps, c.get('client'), parsed.data);
      setSessionCookie(c, deps.config.publicOrigin, created.token, created.session);
      return c.redirect('/', 303);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      retryAfter(c, err);
      return c.html(
        <RegisterPage
          frame={frameOf(c)}
          plimus={!!c.get('deps').plimus}
          values={values}
          errors={err.fields}
        />,
        err.status,
      );
    }
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
      />,
    );
  })
  .post('/login', async (c) => {
    const deps = c.get('deps');
    const input = await readForm(c);
    const values = { login: input.login, remember: !!input.remember };
    const next = safeNext(input.next, deps.config.publicOrigin);
    const parsed = parseForm(loginForm, input);
    if (!parsed.ok) {
      return c.html(
        <LoginPage
          frame={frameOf(c)}
          plimus={!!c.get('deps').plimus}
          values={values}
          next={next}
          errors={parsed.errors}
        />,
        422,
      );
    }
    try {
      const created = await login(deps, c.get('client'), parsed.data);
      setSessionCookie(c, deps.config.publicOrigin, created.token, created.session);
      return c.redirect(next, 303);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      retryAfter(c, err);
      return c.html(
        <LoginPage
          frame={frameOf(c)}
          plimus={!!c.get('deps').plimus}
          values={values}
          next={next}
          errors={err.fields}
        />,
        err.status,
      );
    }
  })
  .post('/logout', async (c) => {
    const deps = c.get('deps');
    const viewer = c.get('viewer');
    if (viewer) await invalidateSession(deps, viewer.session.id);
    clearSessionCookie(c, deps.config.publicOrigin);
    return c.redirect('/', 303);
  });
