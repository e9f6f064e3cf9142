/** The forum's client registration at the test identity provider (no imports: the Vitest config reads it). */
export const TEST_CLIENT = {
  clientId: 'forum-test',
  clientSecret: 'forum-test-secret',
  redirectUris: ['http://forum.test/auth/plimus/callback'],
};

/** The forum's configuration for a test provider at `issuer`. */
export const plimusEnv = (issuer: string) => ({
  PLIMUS_ISSUER: issuer,
  PLIMUS_CLIENT_ID: TEST_CLIENT.clientId,
  PLIMUS_CLIENT_SECRET: TEST_CLIENT.clientSecret,
});
