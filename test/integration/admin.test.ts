import { afterAll } from 'vitest';
import { adminSuite } from '../shared/admin-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

adminSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
