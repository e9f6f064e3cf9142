/**
 * The signed-in person's own data (/account): see and change it, download it, delete it. Each
 * part of the page is its own small form posting to its own route; a success comes back to
 * /account?done=<what> with a notice.
 */

import { type Context, Hono } from 'hono';
import { NOTIFICATION_KINDS } from '../../domain/words';
import { AccountPage } from '../../views/pages/account';
import { AccountDeletedPage, DeleteAccountPage } from '../../views/pages/delete-account';
import { NoticePage } from '../../views/pages/notice';
import { clearSessionCookie } from '../auth/cookies';
import type { AppEnv, Viewer } from '../context';
import { ForbiddenError, FormError } from '../errors';
import { canEditProfile, canUnlinkIdentity, confirmationFor } from '../policy/account';
import { exportAccountData, exportFileName } from '../services/account-data';
import { deleteAccount, deletionPreview } from '../services/account-deletion';
import {
  confirmEmail,
  dismissPrivacyNotice,
  endOtherSessions,
  getAccountOverview,
  requestEmailChange,
  resendAddressConfirmation,
  setBuyerBadge,
  setEmailChoices,
  setFirstPassword,
  updateProfile,
} from '../services/account-settings';
import { changePassword } from '../services/accounts';
import { notificationFeedKey, resetNotificationFeed } from '../services/notifications';
import { watchesOf } from '../services/watching';
import {
  buyerBadgeForm,
  changePasswordForm,
  deleteAccountForm,
  dismissForm,
  emailChangeForm,
  emailChoicesForm,
  parseForm,
  profileForm,
  setPasswordForm,
} from '../validation/forms';
import { readForm, retryAfter, safeNext } from './forms';
import { frameOf } from './frame';

function signedIn(c: Context<AppEnv>, doing = 'see your account'): Viewer {
  const viewer = c.get('viewer');
  if (!viewer) throw new ForbiddenError(`Please sign in to ${doing}.`);
  return viewer;
}

/** What /account?done=<key> says after a change (keys are also used by routes/identity.tsx). */
const NOTICES: Record<string, string> = {
  profile: 'Your profile was saved. It shows on your public profile now.',
  'email-sent':
    'We sent a confirmation link to your new address. Your email address changes when you open it while signed in.',
  email: 'Your email address was changed.',
  'email-confirmed': 'Your email address is confirmed. Thank you.',
  'confirmation-sent':
    'We sent a new confirmation link to your email address. It works for 24 hours.',
  'email-choices': 'Your email choices were saved.',
  'feed-reset':
    'Your notification feed has a new address. The old one no longer works: give the new one to your feed reader.',
  password: 'Your password was changed. Every other session of your account was signed out.',
  'password-set':
    'Your password was set: you can now also sign in with your username and password. Every other session of your account was signed out.',
  'buyer-badge-on':
    'Your posts in forums of products you bought now show the \u201cVerified buyer\u201d badge.',
  'buyer-badge-off':
    'Your posts no longer show the \u201cVerified buyer\u201d badge, except posts where you chose it.',
  'signed-out-elsewhere': 'Every other session of your account was signed out.',
  linked: 'Your Plimus identity is now linked to this account.',
  refreshed: 'Your Plimus identity was already linked; its details were refreshed.',
  unlinked: 'Your Plimus identity was unlinked from this account.',
  'unlink-refused':
    'Your Plimus identity was not unlinked: this account has no password, so you could not sign in any more. Set a password first.',
  reauthenticated:
    'You confirmed that it is you by signing in with Plimus. For the next 10 minutes you can set a password or delete your account.',
};

type AccountForm = {
  errors: Record<string, string>;
  values?: { display_name?: string; bio?: string; email?: string };
};

/** The account page, with a notice or with a form that came back with problems. */
async function accountPage(c: Context<AppEnv>, viewer: Viewer, form?: AccountForm) {
  const deps = c.get('deps');
  const account = await getAccountOverview(deps, { id: viewer.id, sessionId: viewer.session.id });
  return (
    <AccountPage
      frame={frameOf(c)}
      notice={form ? undefined : NOTICES[c.req.query('done') ?? '']}
      account={account}
      watches={await watchesOf(deps, viewer.id, { readableOnly: true })}
      hasPassword={!!viewer.passwordHash}
      confirmation={confirmationFor(viewer, viewer.session, deps.now())}
      canUnlink={canUnlinkIdentity(viewer)}
      canEditProfile={canEditProfile(viewer, deps.now())}
      plimusAvailable={!!deps.plimus}
      mailAvailable={deps.mail.available}
      notificationFeed={`${deps.config.publicOrigin}/notifications/${await notificationFeedKey(deps, viewer.id)}/feed.atom`}
      errors={form?.errors}
      values={form?.values}
    />
  );
}

export const accountRoutes = new Hono<AppEnv>()
  .get('/account', async (c) => c.html(await accountPage(c, signedIn(c))))
  // No fields: cross-site posts are refused by the middleware.
  .post('/account/notification-feed/reset', async (c) => {
    const viewer = signedIn(c, 'reset your notification feed');
    await resetNotificationFeed(c.get('deps'), viewer.id);
    return c.redirect('/account?done=feed-reset#account-feed', 303);
  })
  .post('/account/profile', async (c) => {
    const viewer = signedIn(c);
    const input = await readForm(c);
    const parsed = parseForm(profileForm, input);
    if (!parsed.ok) {
      const values = { display_name: input.display_name ?? '', bio: input.bio ?? '' };
      return c.html(await accountPage(c, viewer, { errors: parsed.errors, values }), 422);
    }
    await updateProfile(c.get('deps'), viewer, {
      displayName: parsed.data.display_name,
      bio: parsed.data.bio,
    });
    return c.redirect('/account?done=profile', 303);
  })
  .post('/account/email', async (c) => {
    const viewer = signedIn(c);
    const input = await readForm(c);
    const values = { email: input.email ?? '' };
    const parsed = parseForm(emailChangeForm, input);
    if (!parsed.ok) {
      return c.html(await accountPage(c, viewer, { errors: parsed.errors, values }), 422);
    }
    try {
      await requestEmailChange(c.get('deps'), viewer, parsed.data.email);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      retryAfter(c, err);
      return c.html(await accountPage(c, viewer, { errors: err.fields, values }), err.status);
    }
    return c.redirect('/account?done=email-sent', 303);
  })
  .post('/account/email/confirmation', async (c) => {
    const viewer = signedIn(c);
    try {
      await resendAddressConfirmation(c.get('deps'), viewer.id);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      retryAfter(c, err);
      return c.html(await accountPage(c, viewer, { errors: err.fields }), err.status);
    }
    return c.redirect('/account?done=confirmation-sent', 303);
  })
  .get('/account/email/confirm', async (c) => {
    const viewer = c.get('viewer');
    const { outcome, userId } = await confirmEmail(
      c.get('deps'),
      viewer?.id ?? null,
      c.req.query('token') ?? '',
    );
    // Signed out, or signed in to another account: the link's account is confirmed, not this one.
    if (viewer?.id !== userId) {
      return c.html(
        <NoticePage
          frame={frameOf(c)}
          title="Your email address is confirmed"
          message="Thank you: the forums now know that this address is yours."
        />,
      );
    }
    return c.redirect(`/account?done=${outcome === 'changed' ? 'email' : 'email-confirmed'}`, 303);
  })
  .post('/account/password', async (c) => {
    const deps = c.get('deps');
    const viewer = signedIn(c);
    const input = await readForm(c);
    try {
      if (viewer.passwordHash) {
        const parsed = parseForm(changePasswordForm, input);
        if (!parsed.ok) return c.html(await accountPage(c, viewer, { errors: parsed.errors }), 422);
        await changePassword(
          deps,
          { id: viewer.id, sessionId: viewer.session.id },
          { currentPassword: parsed.data.current_password, newPassword: parsed.data.new_password },
        );
        return c.redirect('/account?done=password', 303);
      }
      // An account made from a Plimus identity sets its first password (after a fresh sign-in).
      const parsed = parseForm(setPasswordForm, input);
      if (!parsed.ok) return c.html(await accountPage(c, viewer, { errors: parsed.errors }), 422);
      await setFirstPassword(deps, viewer, parsed.data.new_password);
      return c.redirect('/account?done=password-set', 303);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(await accountPage(c, viewer, { errors: err.fields }), err.status);
    }
  })
  .post('/account/email-choices', async (c) => {
    const viewer = signedIn(c);
    const parsed = parseForm(emailChoicesForm, await readForm(c));
    if (!parsed.ok) return c.html(await accountPage(c, viewer, { errors: parsed.errors }), 422);
    const { data } = parsed;
    await setEmailChoices(c.get('deps'), viewer.id, {
      announcements: data.announcements,
      optionalEmailOff: data.optional_email_off,
      emailKinds: NOTIFICATION_KINDS.filter((k) => data[`email_${k}`]),
      digest: data.digest,
    });
    return c.redirect('/account?done=email-choices', 303);
  })
  .post('/account/buyer-badge', async (c) => {
    const viewer = signedIn(c);
    const parsed = parseForm(buyerBadgeForm, await readForm(c));
    if (!parsed.ok) return c.html(await accountPage(c, viewer, { errors: parsed.errors }), 422);
    await setBuyerBadge(c.get('deps'), viewer.id, parsed.data.show_buyer_badge);
    return c.redirect(
      `/account?done=${parsed.data.show_buyer_badge ? 'buyer-badge-on' : 'buyer-badge-off'}`,
      303,
    );
  })
  .post('/account/sessions/end-others', async (c) => {
    const viewer = signedIn(c);
    await endOtherSessions(c.get('deps'), { id: viewer.id, sessionId: viewer.session.id });
    return c.redirect('/account?done=signed-out-elsewhere', 303);
  })
  .post('/account/privacy-notice/dismiss', async (c) => {
    const viewer = signedIn(c, 'dismiss this notice');
    const parsed = parseForm(dismissForm, await readForm(c));
    const deps = c.get('deps');
    await dismissPrivacyNotice(deps, viewer.id);
    return c.redirect(
      safeNext(parsed.ok ? parsed.data.next : undefined, deps.config.publicOrigin),
      303,
    );
  })
  .get('/account/export', async (c) => {
    const deps = c.get('deps');
    const viewer = signedIn(c, 'download your data');
    const data = await exportAccountData(deps, viewer.id);
    c.header(
      'Content-Disposition',
      `attachment; filename="${exportFileName(viewer.username, deps.now())}"`,
    );
    c.header('Cache-Control', 'no-store');
    return c.body(JSON.stringify(data, null, 2), 200, {
      'Content-Type': 'application/json; charset=utf-8',
    });
  })
  .get('/account/delete', async (c) => {
    const deps = c.get('deps');
    const viewer = signedIn(c, 'delete your account');
    return c.html(
      <DeleteAccountPage
        frame={frameOf(c)}
        username={viewer.username}
        preview={await deletionPreview(deps, viewer.id)}
        confirmation={confirmationFor(viewer, viewer.session, deps.now())}
        plimusAvailable={!!deps.plimus}
        errors={{}}
      />,
    );
  })
  .post('/account/delete', async (c) => {
    const deps = c.get('deps');
    const viewer = signedIn(c, 'delete your account');
    const input = await readForm(c);
    const page = async (errors: Record<string, string>) => (
      <DeleteAccountPage
        frame={frameOf(c)}
        username={viewer.username}
        preview={await deletionPreview(deps, viewer.id)}
        confirmation={confirmationFor(viewer, viewer.session, deps.now())}
        plimusAvailable={!!deps.plimus}
        errors={errors}
        keepPosts={
          input.keep_posts === 'true' ? true : input.keep_posts === 'false' ? false : undefined
        }
      />
    );
    const parsed = parseForm(deleteAccountForm, input);
    if (!parsed.ok) return c.html(await page(parsed.errors), 422);
    try {
      await deleteAccount(deps, viewer, {
        keepPosts: parsed.data.keep_posts,
        password: parsed.data.password,
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(await page(err.fields), err.status);
    }
    clearSessionCookie(c, deps.config.publicOrigin);
    return c.redirect(`/account/deleted?posts=${parsed.data.keep_posts ? 'kept' : 'removed'}`, 303);
  })
  .get('/account/deleted', (c) => {
    const posts = c.req.query('posts');
    return c.html(
      <AccountDeletedPage
        frame={frameOf(c)}
        postsKept={posts === 'kept' ? true : posts === 'removed' ? false : undefined}
      />,
    );
  });
