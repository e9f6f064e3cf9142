import { afterAll } from 'vitest';
import { emailSuite } from '../shared/email-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

emailSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
