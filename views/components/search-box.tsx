/**
 * The search box of every page's header: a plain GET form to /search, labelled, reachable with
 * the keyboard, working without JavaScript. One small component, so the header can put it where
 * the screen has room.
 */
export function SearchBox({ query }: { query?: string | undefined }) {
  return (
    <search class="site-search">
      <form method="get" action="/search">
        <label for="site-search-q" class="visually-hidden">
          Search the forums
        </label>
        <input
          id="site-search-q"
          type="search"
          name="q"
          value={query ?? ''}
          maxlength={300}
          placeholder="Search the forums"
          autocomplete="off"
        />
        <button type="submit" class="button-secondary">
          Search
        </button>
      </form>
    </search>
  );
}
