import type { LatestTopic } from '../../src/services/forums';
import type { Unread } from '../../src/services/reading';
import { Pagination } from '../components/pagination';
import { TopicList } from '../components/topic-list';
import { type Frame, Layout } from '../layouts/site';

export type LatestPageProps = {
  frame: Frame;
  topics: LatestTopic[];
  /** a signed-in person's new posts in the listed topics they read before */
  unread?: Map<number, Unread> | undefined;
  unanswered: boolean;
  page: number;
  pageCount: number | null;
  prevHref: string | null;
  nextHref: string | null;
  canonical: string;
  /** the time of the request (deps.now()): the list says how long ago things happened */
  now: number;
};

/** /latest: every forum's topics by last activity, or the open questions of product forums. */
export function LatestPage(p: LatestPageProps) {
  const name = p.unanswered ? 'Unanswered questions' : 'Latest topics';
  return (
    <Layout
      frame={p.frame}
      title={p.page > 1 ? `${name} (page ${p.page})` : name}
      description={
        p.unanswered
          ? 'Questions about products sold on Plimus that are still waiting for an answer.'
          : 'The most recently active topics in every forum of the Plimus Community Forums.'
      }
      canonical={p.canonical}
    >
      <h1>{name}</h1>
      <nav class="topic-filters" aria-label="Which topics">
        <ul>
          <li>
            <a href="/latest" aria-current={p.unanswered ? undefined : 'page'}>
              All topics
            </a>
          </li>
          <li>
            <a href="/latest?filter=unanswered" aria-current={p.unanswered ? 'page' : undefined}>
              Unanswered questions in product forums
            </a>
          </li>
        </ul>
      </nav>
      <TopicList
        topics={p.topics}
        unread={p.unread}
        now={p.now}
        label={name}
        empty={
          p.unanswered
            ? 'No open questions: every question in the product forums has an accepted answer.'
            : 'No topics yet.'
        }
        forumOf={(t) => (t as LatestTopic).forum}
      />
      <Pagination
        label="Pages of topics"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
    </Layout>
  );
}
