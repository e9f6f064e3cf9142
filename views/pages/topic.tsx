import type { PostView, TopicWithForum } from '../../src/services/topics';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Pagination } from '../components/pagination';
import { Post } from '../components/post';
import { TopicTags } from '../components/topic-tags';
import { Layout } from '../layouts/site';

export type TopicPageProps = {
  topic: TopicWithForum;
  posts: PostView[];
  page: number;
  pageCount: number;
  canonical: string;
  prevHref: string | null;
  nextHref: string | null;
};

export function TopicPage(p: TopicPageProps) {
  const t = p.topic;
  const title = p.page > 1 ? `${t.title} (page ${p.page})` : t.title;
  return (
    <Layout title={title} canonical={p.canonical}>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/f/${t.forum.slug}`, label: t.forum.name },
        ]}
      />
      <h1>{t.title}</h1>
      <TopicTags
        pinned={t.pinned}
        locked={t.locked}
        kind={t.kind}
        answered={t.acceptedPostId !== null}
      />
      <Pagination
        label="Pages of this topic (top)"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
      <div class="posts">
        {p.posts.map((post) => (
          <Post post={post} />
        ))}
      </div>
      <Pagination
        label="Pages of this topic"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
      {t.locked ? <p class="notice">This topic is locked: it takes no new replies.</p> : null}
    </Layout>
  );
}
