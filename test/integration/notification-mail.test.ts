import { afterAll } from 'vitest';
import { notificationMailSuite } from '../shared/notification-mail-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

notificationMailSuite(async () => {
  forum = await createTestForum({ MAIL_RATE_PER_MINUTE: '1000' });
  return forum;
});

afterAll(() => forum.close());
