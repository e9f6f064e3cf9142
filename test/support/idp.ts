/** The development Plimus identity provider, set up for tests: one client, HTTP control on. */
import { startDevIdentityProvider } from '../../dev/plimus-idp';
import { TEST_CLIENT } from './idp-client';

export { plimusEnv } from './idp-client';

export function startTestIdp() {
  return startDevIdentityProvider({ clients: [TEST_CLIENT], testControl: true, nodeEnv: 'test' });
}
