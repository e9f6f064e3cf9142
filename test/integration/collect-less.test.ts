import { afterAll } from 'vitest';
import { collectLessSuite } from '../shared/collect-less-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

// On Node the country comes from a header set by a trusted proxy, when one is configured.
collectLessSuite(async () => {
  forum = await createTestForum({ TRUSTED_COUNTRY_HEADER: 'CF-IPCountry' });
  return forum;
});

afterAll(() => forum.close());
