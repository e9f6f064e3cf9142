import type { ForumGroup } from '../../src/services/forums';
import { CATEGORY_NAMES } from '../components/names';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

const count = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function HomePage({ frame, groups }: { frame: Frame; groups: ForumGroup[] }) {
  return (
    <Layout
      frame={frame}
      title="Forums"
      description="Discuss the software you bought on Plimus, ask vendors questions and get help with the marketplace."
    >
      <h1>Forums</h1>
      {groups.length === 0 ? (
        <p class="empty">There are no forums yet.</p>
      ) : (
        groups.map((g) => (
          <section class="forum-group" aria-labelledby={`group-${g.category}`}>
            <h2 id={`group-${g.category}`}>{CATEGORY_NAMES[g.category]}</h2>
            <ul class="forum-list">
              {g.forums.map((f) => (
                <li class="forum-item">
                  <div class="forum-main">
                    <h3 class="forum-name">
                      <a href={`/f/${f.slug}`}>{f.name}</a>
                      {f.archived ? <span class="tag">Archived</span> : null}
                    </h3>
                    {f.description ? <p class="forum-description">{f.description}</p> : null}
                  </div>
                  <p class="forum-counts">
                    {/* spans: on narrow screens the two counts sit side by side as flex items */}
                    <span>{count(f.topicCount, 'topic', 'topics')}</span>
                    <br />
                    <span>{count(f.postCount, 'post', 'posts')}</span>
                  </p>
                  <p class="forum-latest">
                    {f.lastTopic && f.lastPostAt ? (
                      <>
                        Latest:{' '}
                        <a
                          href={
                            f.lastPostId
                              ? `/p/${f.lastPostId}`
                              : `/t/${f.lastTopic.id}/${f.lastTopic.slug}`
                          }
                        >
                          {f.lastTopic.title}
                        </a>
                        <br />
                        {f.lastPoster ? <>by {f.lastPoster}, </> : null}
                        <Time date={f.lastPostAt} />
                      </>
                    ) : (
                      'No posts yet'
                    )}
                  </p>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </Layout>
  );
}
