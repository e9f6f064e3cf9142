import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { markRead } from '../../src/services/reading';
import { readingSuite } from '../shared/reading-suite';
import { createTestForum, type TestForum } from '../support/forum';

let forum: TestForum;

readingSuite(async () => {
  forum = await createTestForum();
  return forum;
});

afterAll(() => forum.close());

describe('when the reading state cannot be written', () => {
  it('the page is answered, and the log says so without naming the person or the topic', async () => {
    const broken = await createTestForum();
    try {
      const lines: string[] = [];
      await broken.deps.db.run(sql`drop table topic_reads`);
      await markRead(broken.deps, 424242, 737373, 5, (l) => lines.push(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^reading state not written \(1 marks\)/);
      expect(lines[0]).not.toMatch(/424242|737373/);
      // Nothing is kept to try again: a failing disk does not make the marks pile up.
      expect(broken.deps.reads.size).toBe(0);
    } finally {
      broken.close();
    }
  });
});
