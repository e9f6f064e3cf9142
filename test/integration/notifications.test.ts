import { afterAll } from 'vitest';
import { notificationsSuite } from '../shared/notifications-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

notificationsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
