import { afterAll } from 'vitest';
import { vendorsSuite } from '../shared/vendors-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

vendorsSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
