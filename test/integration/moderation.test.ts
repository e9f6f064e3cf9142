import { afterAll } from 'vitest';
import { moderationSuite } from '../shared/moderation-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

moderationSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
