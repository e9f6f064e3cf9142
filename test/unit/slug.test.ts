import { describe, expect, it } from 'vitest';
import { slugify } from '../../src/content/slug';

describe('slugify', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['Crème brûlée & Co.', 'creme-brulee-co'],
    ['   --- ', 'topic'],
    ['日本語', 'topic'],
    ['v2.0 release: what changed?', 'v2-0-release-what-changed'],
  ])('%j -> %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('cuts long titles at a word boundary', () => {
    const slug = slugify(
      'Scheduled backup skips files that are open in another program on Windows',
    );
    expect(slug).toBe('scheduled-backup-skips-files-that-are-open-in-another');
    expect(slug.length).toBeLessThanOrEqual(60);
  });
});
