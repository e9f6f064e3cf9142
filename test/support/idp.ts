/** The development Plimus identity provider, set up for tests: one client, HTTP control on. */
import { DEV_PEOPLE, type DevPerson, startDevIdentityProvider } from '../../dev/plimus-idp';
import { TEST_CLIENT } from './idp-client';

export { plimusEnv } from './idp-client';

/**
 * Identities besides the demo people that only the tests use (test/shared/identity-suite.ts),
 * each in one test, so that no test finds one already linked by another: `plimus-test-<n>`.
 */
const SPARE_IDENTITIES = 4;

const spare = (n: number): DevPerson => ({
  sub: `plimus-test-${n}`,
  name: `Spare Person ${n}`,
  preferred_username: `spare_${n}`,
  email: `spare.${n}@identity.example`,
  email_verified: true,
  plimus_purchases: [],
  about: 'a person only tests sign in as',
});

export function startTestIdp() {
  return startDevIdentityProvider({
    clients: [TEST_CLIENT],
    testControl: true,
    nodeEnv: 'test',
    people: [...DEV_PEOPLE, ...Array.from({ length: SPARE_IDENTITIES }, (_, i) => spare(i + 1))],
  });
}
