import { afterAll } from 'vitest';
import { searchSuite } from '../shared/search-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

searchSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
