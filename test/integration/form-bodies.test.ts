import { afterAll } from 'vitest';
import { formBodiesSuite } from '../shared/form-bodies-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

formBodiesSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());
