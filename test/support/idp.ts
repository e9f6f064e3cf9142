/** The development Plimus identity provider, set up for tests: one client, HTTP control on. */
import { startDevIdentityProvider } from '../../dev/plimus-idp';

export const TEST_CLIENT = {
  clientId: 'forum-test',
  clientSecret: 'forum-test-secret',
  redirectUris: ['http://forum.test/auth/plimus/callback'],
};

export function startTestIdp() {
  return startDevIdentityProvider({ clients: [TEST_CLIENT], testControl: true, nodeEnv: 'test' });
}

/** The forum's configuration for that provider. */
export const plimusEnv = (issuer: string) => ({
  PLIMUS_ISSUER: issuer,
  PLIMUS_CLIENT_ID: TEST_CLIENT.clientId,
  PLIMUS_CLIENT_SECRET: TEST_CLIENT.clientSecret,
});
