import type { Forum, TopicFilter, TopicListItem } from '../../src/services/forums';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Pagination } from '../components/pagination';
import { Time } from '../components/time';
import { TopicTags } from '../components/topic-tags';
import { type Frame, Layout, signInHref } from '../layouts/site';

export type ForumPageProps = {
  frame: Frame;
  forum: Forum;
  topics: TopicListItem[];
  /** the list shows only questions without (unanswered) or with (answered) an accepted answer */
  filter: TopicFilter | null;
  page: number;
  pageCount: number;
  prevHref: string | null;
  nextHref: string | null;
  canonical: string;
  /** whether the viewer can start a topic here, or what to say instead */
  newTopic: 'allowed' | 'sign-in' | 'not-allowed';
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
      description={p.forum.description || undefined}
      canonical={p.canonical}
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
      {p.topics.length === 0 ? (
        <p class="empty">{current?.empty}</p>
      ) : (
        <ul class="topic-list" aria-label={current?.label ?? 'Topics'}>
          {p.topics.map((t) => (
            <li class={t.pinned ? 'topic-item pinned' : 'topic-item'}>
              <h2 class="topic-title">
                <a href={`/t/${t.id}/${t.slug}`}>{t.title}</a>
              </h2>
              <TopicTags pinned={t.pinned} locked={t.locked} kind={t.kind} answered={t.answered} />
              <p class="topic-meta">
                Started by {t.author ?? 'a deleted user'}, <Time date={t.createdAt} />
                {' · '}
                {t.replyCount === 1 ? '1 reply' : `${t.replyCount.toLocaleString('en-US')} replies`}
                {' · '}
                <a href={t.lastPostId ? `/p/${t.lastPostId}` : `/t/${t.id}/${t.slug}`}>last post</a>{' '}
                {t.lastPoster ? <>by {t.lastPoster} </> : null}
                <Time date={t.lastPostAt} />
              </p>
            </li>
          ))}
        </ul>
      )}
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
