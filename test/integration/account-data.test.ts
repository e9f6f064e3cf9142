import { afterAll } from 'vitest';
import { accountDataSuite } from '../shared/account-data-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

accountDataSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
