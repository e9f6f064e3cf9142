import type { PostView, TopicWithForum } from '../../src/services/topics';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Composer } from '../components/composer';
import { Pagination } from '../components/pagination';
import { Post, type PostActions } from '../components/post';
import { TopicTags } from '../components/topic-tags';
import { type Frame, Layout, signInHref } from '../layouts/site';

export type TopicPageProps = {
  frame: Frame;
  topic: TopicWithForum;
  posts: PostView[];
  page: number;
  pageCount: number;
  canonical: string;
  prevHref: string | null;
  nextHref: string | null;
  /** what the viewer may do with each post, by post id */
  actions: Record<number, PostActions>;
  /** null: the viewer cannot reply (see replyBlocked); otherwise whether to ask the public acknowledgement */
  replyForm: { askPublicAck: boolean } | null;
  /** why there is no reply form, when there is a reason to say */
  replyBlocked: 'sign-in' | 'locked' | 'archived' | 'suspended' | null;
};

export function TopicPage(p: TopicPageProps) {
  const t = p.topic;
  const title = p.page > 1 ? `${t.title} (page ${p.page})` : t.title;
  return (
    <Layout frame={p.frame} title={title} canonical={p.canonical}>
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
          <Post post={post} topicId={t.id} actions={p.actions[post.id]} />
        ))}
      </div>
      <Pagination
        label="Pages of this topic"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
      />
      <section class="reply" aria-labelledby="reply-title">
        <h2 id="reply-title">Reply</h2>
        {p.replyForm ? (
          <Composer
            action={`/t/${t.id}/replies`}
            submitLabel="Post reply"
            body=""
            errors={{}}
            askPublicAck={p.replyForm.askPublicAck}
          />
        ) : p.replyBlocked === 'sign-in' ? (
          <p>
            <a href={signInHref(p.frame.path)}>Sign in</a> or{' '}
            <a href="/register">create an account</a> to reply.
          </p>
        ) : p.replyBlocked === 'locked' ? (
          <p class="notice">This topic is locked: it takes no new replies.</p>
        ) : p.replyBlocked === 'archived' ? (
          <p class="notice">This forum is archived: it takes no new replies.</p>
        ) : p.replyBlocked === 'suspended' ? (
          <p class="notice">
            Your account is suspended: you cannot reply until the suspension ends.
          </p>
        ) : null}
      </section>
    </Layout>
  );
}
