import { afterAll } from 'vitest';
import { crawlersSuite } from '../shared/crawlers-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

crawlersSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
