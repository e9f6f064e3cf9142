const MAX_SLUG = 60;

/** URL slug of a topic title: lower-case ASCII words joined by hyphens ("topic" when none). */
export function slugify(title: string): string {
  let slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > MAX_SLUG) {
    // Cut at a word boundary when there is one.
    const cut = slug.slice(0, MAX_SLUG + 1);
    const boundary = cut.lastIndexOf('-');
    slug = boundary > 0 ? cut.slice(0, boundary) : slug.slice(0, MAX_SLUG);
  }
  return slug || 'topic';
}
