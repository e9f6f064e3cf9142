import { afterAll } from 'vitest';
import { permissionsSuite } from '../shared/permissions-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

permissionsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
