import { afterAll } from 'vitest';
import { draftsSuite } from '../shared/drafts-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

draftsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
