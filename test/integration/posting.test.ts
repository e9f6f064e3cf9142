import { afterAll } from 'vitest';
import { postingSuite } from '../shared/posting-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

postingSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
