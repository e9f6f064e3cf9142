import { afterAll } from 'vitest';
import { mentionsSuite } from '../shared/mentions-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

mentionsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
