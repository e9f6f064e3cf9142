import { afterAll } from 'vitest';
import type { DevIdentityProvider } from '../../dev/plimus-idp';
import { identitySuite } from '../shared/identity-suite';
import { createTestForum, type TestForum } from '../support/forum';
import { plimusEnv, startTestIdp } from '../support/idp';

let forum: TestForum;
let idp: DevIdentityProvider;

identitySuite(async () => {
  idp = await startTestIdp();
  forum = await createTestForum(plimusEnv(idp.issuer));
  return { forum, issuer: idp.issuer };
});

afterAll(async () => {
  await forum.close();
  await idp.close();
});
