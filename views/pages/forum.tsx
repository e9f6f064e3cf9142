import type { Forum, TopicFilter, TopicListItem } from '../../src/services/forums';
import type { Unread } from '../../src/services/reading';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Pagination } from '../components/pagination';
import { TopicList } from '../components/topic-list';
import { type WatchChoice, WatchForm } from '../components/watch-form';
import { type Frame, Layout, signInHref } from '../layouts/site';

export type ForumPageProps = {
  frame: Frame;
  forum: Forum;
  topics: TopicListItem[];
  /** a signed-in person's new posts in the listed topics they read before */
  unread?: Map<number, Unread> | undefined;
  /** the list shows only questions without (unanswered) or with (answered) an accepted answer */
  filter: TopicFilter | null;
  page: number;
  pageCount: number;
  prevHref: string | null;
  nextHref: string | null;
  canonical: string;
  /** the time of the request (deps.now()): the list says how long ago things happened */
  now: number;
  /** whether the viewer can start a topic here, or what to say instead */
  newTopic: 'allowed' | 'sign-in' | 'not-allowed';
  /** how closely the signed-in viewer follows this forum; null for visitors */
  watch: WatchChoice | null;
};

const FILTERS: { filter: TopicFilter | null; label: string; empty: string }[] = [
  { filter: null, label: 'All topics', empty: 'No topics here yet.' },
  {
    filter: 'unanswered',
    label: 'Unanswered questions',
    empty: 'No unanswered questions here: every question has an accepted answer.',
  },
  { filter: 'answered', label: 'Answered questions', empty: 'No answered questions here yet.' },
];

export function ForumPage(p: ForumPageProps) {
  const current = FILTERS.find((f) => f.filter === p.filter) ?? FILTERS[0];
  const name = p.filter ? `${p.forum.name}: ${current?.label.toLowerCase()}` : p.forum.name;
  const title = p.page > 1 ? `${name} (page ${p.page})` : name;
  return (
    <Layout
      frame={p.frame}
      title={title}
      description={p.forum.description || `Topics in ${p.forum.name}.`}
      canonical={p.canonical}
      feeds={[{ href: `/f/${p.forum.slug}/feed.atom`, title: `${p.forum.name}: latest topics` }]}
    >
      <Breadcrumbs items={[{ href: '/', label: 'Forums' }]} />
      <h1>{p.forum.name}</h1>
      {p.forum.description ? <p class="lede">{p.forum.description}</p> : null}
      {p.newTopic === 'allowed' ? (
        <p>
          <a class="button" href={`/f/${p.forum.slug}/new`}>
            New topic
          </a>
        </p>
      ) : p.newTopic === 'sign-in' && !p.forum.archived ? (
        <p>
          <a href={signInHref(`/f/${p.forum.slug}/new`)}>Sign in to start a topic</a>
        </p>
      ) : null}
      {p.watch ? <WatchForm {...p.watch} /> : null}
      {p.forum.archived ? (
        <p class="notice">This forum is archived: it can be read but takes no new posts.</p>
      ) : null}
      <nav class="topic-filters" aria-label="Which topics">
        <ul>
          {FILTERS.map((f) => (
            <li>
              <a
                href={`/f/${p.forum.slug}${f.filter ? `?filter=${f.filter}` : ''}`}
                aria-current={f.filter === p.filter ? 'page' : undefined}
              >
                {f.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <TopicList
        topics={p.topics}
        unread={p.unread}
        now={p.now}
        label={current?.label ?? 'Topics'}
        empty={current?.empty ?? 'No topics here yet.'}
      />
      <Pagination
        label="Topic pages"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
    </Layout>
  );
}
