/**
 * The forum as an OpenID Connect relying party of the Plimus identity, with openid-client (a
 * certified library): authorization code flow with PKCE (S256), state and nonce; the ID token's
 * signature (against the provider's JWKS), issuer, audience, expiry and nonce are checked by the
 * library. Runs the same on Node and in workerd (fetch and WebCrypto only).
 */
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { PlimusConfig } from '../env';

export const PLIMUS_SCOPES = 'openid email profile plimus';

/** What the relying party keeps between sending the person away and their return. */
export type SignInFlow = {
  state: string;
  nonce: string;
  verifier: string;
  /** what the person was doing: signing in (or linking when signed in), or confirming a deletion */
  intent: 'sign-in' | 'reauthenticate';
};

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
  begin(intent: SignInFlow['intent']): Promise<{ url: string; flow: SignInFlow }>;
  /** @throws IdentityError when any check fails */
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
    async begin(intent) {
      const c = await configuration();
      const flow: SignInFlow = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        intent,
      };
      const url = oidc.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope: PLIMUS_SCOPES,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
        // Confirming a deletion needs the person themselves, not a lingering provider session.
        ...(intent === 'reauthenticate' ? { prompt: 'login' } : {}),
      });
      return { url: url.href, flow };
    },
    async complete(callbackUrl, flow) {
      const c = await configuration();
      try {
        const tokens = await oidc.authorizationCodeGrant(c, callbackUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new Error('no ID token');
        const info = await oidc.fetchUserInfo(c, tokens.access_token, idClaims.sub);
        return plimusClaims.parse({ ...info, sub: idClaims.sub });
      } catch (err) {
        throw new IdentityError('Sign-in with Plimus could not be completed.', { cause: err });
      }
    },
  };
}
