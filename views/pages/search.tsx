import { raw } from 'hono/html';
import type { SearchResults } from '../../src/services/search';
import { Pagination } from '../components/pagination';
import { Time } from '../components/time';
import { TopicTags } from '../components/topic-tags';
import { type Frame, Layout } from '../layouts/site';

export type SearchPageProps = {
  frame: Frame;
  /** the search as typed (with the advanced form's fields as operators), kept in the box */
  query: string;
  /** why the search cannot run, next to the box */
  error: string | null;
  results: SearchResults | null;
  /** the forums, for the advanced form's choice */
  forums: { slug: string; name: string }[];
  /** the bound on ranked posts, for the notice when it applies */
  rankedPosts: number;
  prevHref: string | null;
  nextHref: string | null;
  /** link each topic's other matching posts (not when the search is within one topic) */
  topicLinks: boolean;
};

const OPERATOR_HELP: [string, string][] = [
  ['"exact phrase"', 'the words next to each other'],
  ['-word', 'leave out posts with the word'],
  ['forum:acme-backup-pro', 'in one forum (its address)'],
  ['user:marta or @marta', 'written by one member'],
  ['is:question, is:answered, is:unanswered', 'questions, with or without an accepted answer'],
  ['in:title', 'the words in topic titles only'],
  ['before:2026-01-31, after:2026-01-01', 'written before or on and after a day'],
  ['order:latest, order:oldest', 'newest or oldest first instead of best match'],
];

/** /search: the box, the advanced form, and one result per topic. */
export function SearchPage(p: SearchPageProps) {
  const r = p.results;
  const title = p.query ? `Search: ${p.query}` : 'Search';
  return (
    <Layout
      frame={{ ...p.frame, query: p.query }}
      title={title}
      description="Search the Plimus Community Forums."
      noindex
    >
      <h1>Search</h1>
      <search class="search-form">
        <form method="get" action="/search">
          <div class={p.error ? 'field field-error' : 'field'}>
            <label for="q">Search for</label>
            {p.error ? (
              <p class="error-message" id="q-error" role="alert">
                {p.error}
              </p>
            ) : null}
            <div class="search-row">
              <input
                id="q"
                type="search"
                name="q"
                value={p.query}
                maxlength={300}
                aria-describedby={p.error ? 'q-error search-help' : 'search-help'}
                aria-invalid={p.error ? 'true' : undefined}
              />
              <button type="submit">Search</button>
            </div>
          </div>
          <details class="search-advanced">
            <summary>Advanced search</summary>
            <p class="hint">Each choice adds its operator to the search.</p>
            <div class="field">
              <label for="adv-forum">Forum</label>
              <select id="adv-forum" name="forum">
                <option value="">Every forum</option>
                {p.forums.map((f) => (
                  <option value={f.slug}>{f.name}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="adv-user">Written by (username)</label>
              <input id="adv-user" name="user" maxlength={20} autocomplete="off" />
            </div>
            <div class="field">
              <label for="adv-is">Topics</label>
              <select id="adv-is" name="is">
                <option value="">Every topic</option>
                <option value="question">Questions</option>
                <option value="answered">Answered questions</option>
                <option value="unanswered">Unanswered questions</option>
              </select>
            </div>
            <div class="field">
              <label for="adv-in">Where</label>
              <select id="adv-in" name="in">
                <option value="">Titles and posts</option>
                <option value="title">Titles only</option>
              </select>
            </div>
            <div class="field">
              <label for="adv-after">Written on or after</label>
              <input id="adv-after" type="date" name="after" />
            </div>
            <div class="field">
              <label for="adv-before">Written before</label>
              <input id="adv-before" type="date" name="before" />
            </div>
            <div class="field">
              <label for="adv-order">Order</label>
              <select id="adv-order" name="order">
                <option value="">Best match</option>
                <option value="latest">Newest first</option>
                <option value="oldest">Oldest first</option>
              </select>
            </div>
            <button type="submit">Search</button>
          </details>
          <details class="search-help" id="search-help">
            <summary>How to search</summary>
            <p>
              Every word must appear; words match their other forms (export, exports, exported) and
              letters match with or without accents.
            </p>
            <dl>
              {OPERATOR_HELP.map(([op, what]) => (
                <>
                  <dt>
                    <code>{op}</code>
                  </dt>
                  <dd>{what}</dd>
                </>
              ))}
            </dl>
          </details>
        </form>
      </search>
      {r ? <Results {...p} results={r} /> : null}
    </Layout>
  );
}

function Results(p: SearchPageProps & { results: SearchResults }) {
  const r = p.results;
  if (r.hits.length === 0) {
    return (
      <section class="search-results" aria-labelledby="results-title">
        <h2 id="results-title">No results</h2>
        <p class="empty">
          {r.page > 1
            ? 'There are no more results.'
            : 'No post matches this search. Try fewer or other words, or remove operators such as forum:, user:, is: or the dates.'}
        </p>
        <p>
          Still stuck? <a href="/">Choose a forum</a> and ask a new question: the people there will
          help.
        </p>
      </section>
    );
  }
  const found = r.topicsFound.toLocaleString('en-US');
  return (
    <section class="search-results" aria-labelledby="results-title">
      <h2 id="results-title">
        {r.bounded ? `Results (${found} topics among the newest matches)` : `${found} topics found`}
      </h2>
      {r.bounded ? (
        <p class="notice">
          More than {p.rankedPosts.toLocaleString('en-US')} posts match: these results rank the
          newest {p.rankedPosts.toLocaleString('en-US')} of them. Add words, a "phrase" or filters
          such as forum: to reach older posts.
        </p>
      ) : null}
      <ol class="search-hits" start={(r.page - 1) * 20 + 1}>
        {r.hits.map((h) => (
          <li class="search-hit">
            <h3 class="search-hit-title">
              <a href={`/p/${h.post.id}`}>{raw(h.topic.titleHtml)}</a>
            </h3>
            <TopicTags
              pinned={false}
              locked={false}
              kind={h.topic.kind}
              answered={h.topic.answered}
            />
            <p class="search-hit-meta">
              In <a href={`/f/${h.topic.forum.slug}`}>{h.topic.forum.name}</a>
              {' · '}
              {h.post.number === 1 ? 'opening post' : `reply #${h.post.number}`} by{' '}
              {h.post.author ?? 'a deleted user'}, <Time date={h.post.createdAt} />
            </p>
            {h.post.snippetHtml ? <p class="search-snippet">{raw(h.post.snippetHtml)}</p> : null}
            {h.moreMatches > 0 && p.topicLinks ? (
              <p class="search-more">
                <a href={`/search?q=${encodeURIComponent(`${p.query} topic:${h.topic.id}`)}`}>
                  and {h.moreMatches.toLocaleString('en-US')} more matching{' '}
                  {h.moreMatches === 1 ? 'post' : 'posts'} in this topic
                </a>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      <Pagination
        label="Result pages"
        page={r.page}
        pageCount={null}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
    </section>
  );
}
