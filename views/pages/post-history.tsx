import { raw } from 'hono/html';
import type { Revision } from '../../src/services/posting';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export type PostHistoryPageProps = {
  frame: Frame;
  post: { id: number; number: number };
  topic: { id: number; slug: string; title: string };
  revisions: Revision[];
};

export function PostHistoryPage({ frame, post, topic, revisions }: PostHistoryPageProps) {
  return (
    <Layout frame={frame} title={`History of post #${post.number}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/t/${topic.id}/${topic.slug}`, label: topic.title },
        ]}
      />
      <h1>History of post #{post.number}</h1>
      <p>
        <a href={`/p/${post.id}`}>Back to the post</a>. Only the author and moderators can see
        earlier versions.
      </p>
      {revisions.map((r) => (
        <section class="revision" aria-labelledby={`rev-${r.number}`}>
          <h2 id={`rev-${r.number}`}>
            Version {r.number}
            {r.current ? ' (current)' : ''}, <Time date={r.createdAt} />
          </h2>
          <div class="post-body">{raw(r.bodyHtml)}</div>
        </section>
      ))}
    </Layout>
  );
}
