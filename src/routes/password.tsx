/**
 * Password reset: "Forgot your password?" (/password/forgot), the emailed link
 * (/password/reset?token=…, whose token moves into a cookie before the form is shown) and the
 * "this wasn't me" link of the notice that follows (/password/not-me/:token). The reset pages send
 * no referrer at all.
 */
import { type Context, Hono } from 'hono';
import { NoticePage } from '../../views/pages/notice';
import { ForgotPasswordPage, NotMePage, ResetPasswordPage } from '../../views/pages/password-reset';
import { clearResetCookie, readResetCookie, setResetCookie } from '../auth/cookies';
import type { AppEnv } from '../context';
import { BadRequestError } from '../errors';
import {
  endSessionsFromNotice,
  RESET_LINK_NOT_VALID,
  requestPasswordReset,
  requireNotMeLink,
  resetPassword,
  resetTokenAccount,
} from '../services/password-reset';
import { forgotPasswordForm, setPasswordForm } from '../validation/forms';
import { frameOf } from './frame';
import { submitForm } from './submit-form';

const linkExpired = () => new BadRequestError(RESET_LINK_NOT_VALID, 'This link has expired');

/** The token stays out of every Referer, even of a link followed from the reset pages. */
const noReferrer = (c: Context) => c.header('Referrer-Policy', 'no-referrer');

export const passwordRoutes = new Hono<AppEnv>()
  .get('/password/forgot', (c) =>
    c.html(
      <ForgotPasswordPage
        frame={frameOf(c)}
        sent={c.req.query('sent') === '1'}
        available={c.get('deps').mail.available}
        values={{}}
        errors={{}}
      />,
    ),
  )
  .post('/password/forgot', async (c) => {
    const deps = c.get('deps');
    return submitForm(
      c,
      forgotPasswordForm,
      (input, errors) => (
        <ForgotPasswordPage
          frame={frameOf(c)}
          sent={false}
          available={deps.mail.available}
          values={{ login: input.login }}
          errors={errors}
        />
      ),
      (d) => requestPasswordReset(deps, c.get('client'), d.login),
      '/password/forgot?sent=1',
    );
  })
  .get('/password/reset', async (c) => {
    noReferrer(c);
    const deps = c.get('deps');
    const fromLink = c.req.query('token');
    if (fromLink !== undefined) {
      // The link from the email: its token moves into a cookie, and out of the address bar.
      const account = await resetTokenAccount(deps, fromLink);
      if (!account) throw linkExpired();
      setResetCookie(
        c,
        deps.config.publicOrigin,
        fromLink,
        (account.expiresAt.getTime() - deps.now()) / 1000,
      );
      return c.redirect('/password/reset', 303);
    }
    if (!(await resetTokenAccount(deps, readResetCookie(c)))) throw linkExpired();
    return c.html(<ResetPasswordPage frame={frameOf(c)} errors={{}} />);
  })
  .post('/password/reset', async (c) => {
    noReferrer(c);
    const deps = c.get('deps');
    return submitForm(
      c,
      setPasswordForm,
      (_input, errors) => <ResetPasswordPage frame={frameOf(c)} errors={errors} />,
      (d) => resetPassword(deps, readResetCookie(c), d.new_password),
      () => {
        clearResetCookie(c, deps.config.publicOrigin);
        return c.redirect('/login?done=password-reset', 303);
      },
    );
  })
  .get('/password/not-me/:token', (c) => {
    const token = c.req.param('token');
    requireNotMeLink(c.get('deps'), token);
    return c.html(<NotMePage frame={frameOf(c)} token={token} />);
  })
  .post('/password/not-me/:token', async (c) => {
    await endSessionsFromNotice(c.get('deps'), c.req.param('token'));
    return c.html(
      <NoticePage
        frame={frameOf(c)}
        title="Your account is signed out everywhere"
        message="Every session of the account has ended, and any reset link that was still waiting no longer works. Ask for a new reset link now, and choose a password only you know."
      >
        <p>
          <a href="/password/forgot">Ask for a new reset link</a>
        </p>
      </NoticePage>,
    );
  });
