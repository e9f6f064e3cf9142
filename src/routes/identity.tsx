/**
 * Sign in with (or link) the Plimus identity: /auth/plimus sends the person to the provider,
 * /auth/plimus/callback checks the answer and acts on it, /auth/plimus/complete creates an
 * account for an identity new to the forums.
 */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  CompleteSignupPage,
  type PlimusNoticeKind,
  PlimusNoticePage,
} from '../../views/pages/plimus';
import {
  clearSignupCookie,
  readSignupCookie,
  setFlowCookie,
  setSignupCookie,
  takeFlowCookie,
} from '../auth/cookies';
import { deviceName } from '../auth/device';
import { flowIsCurrent, IdentityError } from '../auth/oidc';
import { createSession } from '../auth/session';
import type { AppEnv } from '../context';
import { describeError, FormError } from '../errors';
import {
  createAccountFromIdentity,
  markReauthenticated,
  pendingSignup,
  resolvePlimusSignIn,
  suggestUsername,
  unlinkIdentity,
} from '../services/identity';
import { parseForm, plimusSignupForm } from '../validation/forms';
import { readForm, safeNext } from './forms';
import { frameOf } from './frame';
import { signedIn } from './signed-in';

const NOTICE_STATUS: Record<PlimusNoticeKind, ContentfulStatusCode> = {
  'email-in-use': 409,
  'linked-elsewhere': 409,
  'other-identity': 409,
  failed: 400,
  expired: 400,
  cancelled: 400,
  'not-configured': 404,
  'reauth-mismatch': 403,
};

function notice(c: Context<AppEnv>, kind: PlimusNoticeKind) {
  return c.html(<PlimusNoticePage frame={frameOf(c)} kind={kind} />, NOTICE_STATUS[kind]);
}

/** Signs the account in and goes on to `next` (from the flow's MAC'd state), greeting once. */
async function signIn(
  c: Context<AppEnv>,
  userId: number,
  flash: 'signed-in' | 'joined',
  next: string,
) {
  const created = await createSession(c.get('deps'), userId, {
    remember: false,
    device: deviceName(c.req.header('user-agent')),
  });
  return signedIn(c, created, flash, next);
}

export const identityRoutes = new Hono<AppEnv>()
  .get('/auth/plimus', async (c) => {
    const deps = c.get('deps');
    if (!deps.plimus) return notice(c, 'not-configured');
    const viewer = c.get('viewer');
    const intent =
      c.req.query('intent') === 'reauthenticate' && viewer ? 'reauthenticate' : 'sign-in';
    try {
      const { url, flow } = await deps.plimus.begin({
        intent,
        sessionId: viewer?.session.id ?? null,
        startedAt: deps.now(),
        // Where to come back to travels in the flow's MAC'd cookie, never through the provider.
        next: safeNext(c.req.query('next'), deps.config.publicOrigin),
      });
      setFlowCookie(c, deps.config.publicOrigin, deps.keys, flow);
      return c.redirect(url, 302);
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      c.get('log')(`identity ${describeError(err)}`);
      return notice(c, 'failed');
    }
  })
  .get('/auth/plimus/callback', async (c) => {
    const deps = c.get('deps');
    if (!deps.plimus) return notice(c, 'not-configured');
    const viewer = c.get('viewer');
    const flow = takeFlowCookie(c, deps.config.publicOrigin, deps.keys);
    if (!flow || !flowIsCurrent(flow, viewer?.session.id ?? null, deps.now())) {
      return notice(c, 'expired');
    }
    if (c.req.query('error')) return notice(c, 'cancelled');
    // The address the provider sent the person back to, as the relying party registered it.
    const url = new URL(c.req.url);
    const callbackUrl = new URL(`${deps.plimus.redirectUri}${url.search}`);
    let claims: Awaited<ReturnType<typeof deps.plimus.complete>>;
    try {
      claims = await deps.plimus.complete(callbackUrl, flow);
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      c.get('log')(`identity ${describeError(err)}`);
      return notice(c, 'failed');
    }
    const issuer = deps.config.plimus?.issuer as string;
    if (flow.intent === 'reauthenticate') {
      if (!viewer) return notice(c, 'expired');
      const ok = await markReauthenticated(
        deps,
        { id: viewer.id, sessionId: viewer.session.id },
        issuer,
        claims,
      );
      // Back to the account page, which then offers both steps that need this confirmation
      // (setting a first password, deleting the account) for FRESH_AUTH_MS.
      return ok ? c.redirect('/account?done=reauthenticated', 303) : notice(c, 'reauth-mismatch');
    }
    const outcome = await resolvePlimusSignIn(deps, issuer, claims, viewer);
    switch (outcome.kind) {
      case 'sign-in':
        return signIn(c, outcome.userId, 'signed-in', flow.next);
      case 'linked':
        return c.redirect('/account?done=linked', 303);
      case 'already-linked':
        return c.redirect('/account?done=refreshed', 303);
      case 'choose-username':
        setSignupCookie(c, deps.config.publicOrigin, deps.keys, {
          token: outcome.token,
          next: flow.next,
        });
        return c.redirect('/auth/plimus/complete', 303);
      default:
        return notice(c, outcome.kind);
    }
  })
  .get('/auth/plimus/complete', async (c) => {
    const deps = c.get('deps');
    const pending = await pendingSignup(deps, readSignupCookie(c, deps.keys)?.token);
    if (!pending) return notice(c, 'expired');
    return c.html(
      <CompleteSignupPage
        frame={frameOf(c)}
        name={pending.claims.name}
        values={{ username: suggestUsername(pending.claims) }}
        errors={{}}
      />,
    );
  })
  .post('/auth/plimus/complete', async (c) => {
    const deps = c.get('deps');
    const signup = readSignupCookie(c, deps.keys);
    const pending = await pendingSignup(deps, signup?.token);
    if (!pending || !signup) return notice(c, 'expired');
    const input = await readForm(c);
    const values = {
      username: input.username ?? '',
      age_confirmed: !!input.age_confirmed,
      public_ack: !!input.public_ack,
    };
    const page = (errors: Record<string, string>) => (
      <CompleteSignupPage
        frame={frameOf(c)}
        name={pending.claims.name}
        values={values}
        errors={errors}
      />
    );
    const parsed = parseForm(plimusSignupForm, input);
    if (!parsed.ok) return c.html(page(parsed.errors), 422);
    try {
      const { userId } = await createAccountFromIdentity(deps, signup.token, pending, {
        username: parsed.data.username,
        publicAck: parsed.data.public_ack,
      });
      clearSignupCookie(c, deps.config.publicOrigin);
      return await signIn(c, userId, 'joined', signup.next);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.html(page(err.fields), err.status);
    }
  })
  .post('/account/plimus/unlink', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect('/login?next=%2Faccount', 303);
    try {
      await unlinkIdentity(c.get('deps'), viewer);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return c.redirect('/account?done=unlink-refused', 303);
    }
    return c.redirect('/account?done=unlinked', 303);
  });
