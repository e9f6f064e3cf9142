export type PaginationProps = {
  page: number;
  /** null when the number of pages is not known (search results) */
  pageCount: number | null;
  prevHref: string | null;
  nextHref: string | null;
  label: string;
  /** the address of any page: numbered links (first, last and those around this one) */
  hrefOf?: ((page: number) => string) | undefined;
};

/**
 * The page numbers to link, with `null` for a gap: always the first and the last, and the pages
 * next to the current one, e.g. 1 … 4 5 6 … 20. A gap of a single page shows that page instead.
 */
export function pageNumbers(page: number, pageCount: number): (number | null)[] {
  const shown = new Set([1, pageCount, page - 1, page, page + 1]);
  const out: (number | null)[] = [];
  let prev = 0;
  for (let n = 1; n <= pageCount; n++) {
    const near = shown.has(n) || (shown.has(n - 1) && shown.has(n + 1));
    if (!near) continue;
    if (n > prev + 1) out.push(null);
    out.push(n);
    prev = n;
  }
  return out;
}

/** Previous/next links with the position (or numbered pages), as a navigation landmark. */
export function Pagination({
  page,
  pageCount,
  prevHref,
  nextHref,
  label,
  hrefOf,
}: PaginationProps) {
  if (pageCount === null ? !prevHref && !nextHref : pageCount <= 1) return null;
  return (
    <nav class="pagination" aria-label={label}>
      {prevHref ? (
        <a href={prevHref} rel="prev">
          ← Previous page
        </a>
      ) : (
        <span class="pagination-edge">← Previous page</span>
      )}
      {hrefOf && pageCount !== null ? (
        <ol class="pagination-pages">
          {pageNumbers(page, pageCount).map((n) =>
            n === null ? (
              <li class="pagination-gap" aria-hidden="true">
                …
              </li>
            ) : (
              <li>
                <a
                  href={hrefOf(n)}
                  aria-current={n === page ? 'page' : undefined}
                  aria-label={`Page ${n}${n === pageCount ? ' (last)' : ''}`}
                >
                  {n}
                </a>
              </li>
            ),
          )}
        </ol>
      ) : (
        <span class="pagination-position">
          Page {page}
          {pageCount === null ? null : ` of ${pageCount}`}
        </span>
      )}
      {nextHref ? (
        <a href={nextHref} rel="next">
          Next page →
        </a>
      ) : (
        <span class="pagination-edge">Next page →</span>
      )}
    </nav>
  );
}
