import { afterAll } from 'vitest';
import { pagesSuite } from '../shared/pages-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

pagesSuite(async () => {
  forum = await createTestForum();
  return { request: forum.request, deps: forum.deps };
});

afterAll(() => forum.close());
