import { afterAll } from 'vitest';
import { likesSuite } from '../shared/likes-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

likesSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
