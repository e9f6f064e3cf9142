/**
 * The forum as an OpenID Connect relying party of the Plimus identity, with openid-client (a
 * certified library): authorization code flow with PKCE (S256), state and nonce; the ID token's
 * signature (against the provider's JWKS), issuer, audience, expiry and nonce are checked by the
 * library. Runs the same on Node and in workerd (fetch and WebCrypto only).
 *
 * Confirming who one is (before setting a first password or deleting an account) asks the
 * provider for a new authentication (`max_age=0`, `prompt=login`) and accepts only an ID token
 * whose `auth_time` is after the flow started: a request that someone edited on its way to the
 * provider, or a provider that answered from a lingering session, confirms nothing.
 */
import * as oidc from 'openid-client';
import * as z from 'zod';
import type { PlimusConfig } from '../env';

export const PLIMUS_SCOPES = 'openid email profile plimus';

/**
 * What the relying party keeps between sending the person away and their return. It travels in a
 * cookie under a MAC (src/auth/cookies.ts), so nobody can change what it says.
 */
export type SignInFlow = {
  state: string;
  nonce: string;
  verifier: string;
  /**
   * what the person was doing: signing in (or linking when signed in), or confirming that it is
   * them (before setting a first password or deleting the account)
   */
  intent: 'sign-in' | 'reauthenticate';
  /** when the forum sent the person to the provider (ms since the epoch, the forum's clock) */
  startedAt: number;
  /** the session that started the flow, or null when signed out: the flow ends only in it */
  sessionId: string | null;
  /**
   * the page of this forum to come back to after signing in, already resolved by `safeNext`
   * (src/routes/forms.ts); it travels under the flow's MAC, never through the provider
   */
  next: string;
};

/** How long a person may take at the provider. */
export const FLOW_MS = 10 * 60_000;

/** How far the provider's clock may be behind the forum's when it says when someone signed in. */
const AUTH_TIME_TOLERANCE_MS = 30_000;

/** The flow was started by this session (or by nobody signed in, as now), and not too long ago. */
export const flowIsCurrent = (flow: SignInFlow, sessionId: string | null, now: number) =>
  flow.sessionId === sessionId && now >= flow.startedAt && now - flow.startedAt < FLOW_MS;

/** The claims the forum uses. Anything else the provider sends is ignored. */
export const plimusClaims = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(254).optional(),
  email_verified: z.boolean().optional(),
  name: z.string().max(200).optional(),
  preferred_username: z.string().max(200).optional(),
  plimus_vendor_id: z.string().min(1).max(100).optional(),
  plimus_vendor_name: z.string().min(1).max(200).optional(),
  plimus_purchases: z.array(z.string().min(1).max(100)).max(10_000).optional(),
});
export type PlimusClaims = z.infer<typeof plimusClaims>;

/** Sign-in with Plimus failed a check; nobody is signed in. The cause is for the log only. */
export class IdentityError extends Error {
  override name = 'IdentityError';
}

export type RelyingParty = {
  /** where the provider sends people back to: PUBLIC_ORIGIN + /auth/plimus/callback */
  redirectUri: string;
  begin(start: Pick<SignInFlow, 'intent' | 'sessionId' | 'startedAt' | 'next'>): Promise<{
    url: string;
    flow: SignInFlow;
  }>;
  /**
   * @throws IdentityError when any check fails, and for a confirmation when the provider did not
   *   sign the person in after the flow started
   */
  complete(callbackUrl: URL, flow: SignInFlow): Promise<PlimusClaims>;
};

export function relyingParty(
  config: PlimusConfig,
  opts: { publicOrigin: string; allowHttp: boolean },
): RelyingParty {
  const redirectUri = `${opts.publicOrigin}/auth/plimus/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;

  const configuration = () => {
    discovered ??= oidc
      .discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, {
        execute:
          opts.allowHttp && config.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .then((c) => {
        // Check the ID token's signature even though it comes straight from the token endpoint.
        oidc.enableNonRepudiationChecks(c);
        return c;
      })
      .catch((err) => {
        discovered = undefined; // try again on the next sign-in
        throw new IdentityError('The Plimus identity provider could not be reached.', {
          cause: err,
        });
      });
    return discovered;
  };

  return {
    redirectUri,
    async begin(start) {
      const c = await configuration();
      const flow: SignInFlow = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        ...start,
      };
      const url = oidc.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope: PLIMUS_SCOPES,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
        // A confirmation needs the person themselves, not a lingering provider session.
        ...(flow.intent === 'reauthenticate' ? { max_age: '0', prompt: 'login' } : {}),
      });
      return { url: url.href, flow };
    },
    async complete(callbackUrl, flow) {
      const c = await configuration();
      const reauthenticate = flow.intent === 'reauthenticate';
      try {
        const tokens = await oidc.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
          // The library then requires auth_time and checks it against its own clock.
          ...(reauthenticate ? { maxAge: 0 } : {}),
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new Error('no ID token');
        // What the request said can be changed on its way to the provider; the signed ID token
        // says when the person really signed in.
        if (
          reauthenticate &&
          !(
            typeof idClaims.auth_time === 'number' &&
            idClaims.auth_time * 1000 >= flow.startedAt - AUTH_TIME_TOLERANCE_MS
          )
        ) {
          throw new Error('auth_time is before the confirmation started: not a new sign-in');
        }
        const info = await oidc.fetchUserInfo(c, tokens.access_token, idClaims.sub);
        return plimusClaims.parse({ ...info, sub: idClaims.sub });
      } catch (err) {
        throw new IdentityError('Sign-in with Plimus could not be completed.', { cause: err });
      }
    },
  };
}
