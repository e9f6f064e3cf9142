import { afterAll } from 'vitest';
import { accountsSuite } from '../shared/accounts-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

accountsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
