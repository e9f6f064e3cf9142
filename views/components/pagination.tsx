export type PaginationProps = {
  page: number;
  /** null when the number of pages is not known (search results) */
  pageCount: number | null;
  prevHref: string | null;
  nextHref: string | null;
  label: string;
};

/** Previous/next links with the position, as a navigation landmark. */
export function Pagination({ page, pageCount, prevHref, nextHref, label }: PaginationProps) {
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
      <span class="pagination-position">
        Page {page}
        {pageCount === null ? null : ` of ${pageCount}`}
      </span>
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
