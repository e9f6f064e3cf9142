import type { TopicListItem } from '../../src/services/forums';
import type { Unread } from '../../src/services/reading';
import { Age } from './age';
import { TopicTags } from './topic-tags';

/**
 * A list of topics (a forum's, or the latest of every forum) in three columns: the topic (title,
 * tags, who started it), its replies, its last activity. On a phone the columns stack. Times read
 * "3 hours ago", counted from `now` (the request's `deps.now()`), with the exact time in
 * `datetime` and `title`.
 */
export function TopicList({
  topics,
  label,
  empty,
  now,
  forumOf,
  unread,
}: {
  topics: TopicListItem[];
  label: string;
  empty: string;
  /** the time of the request, in ms */
  now: number;
  /** the forum each topic is in, when the list spans forums */
  forumOf?: (t: TopicListItem) => { slug: string; name: string } | undefined;
  /** for a signed-in person: the new posts of topics they read before */
  unread?: Map<number, Unread> | undefined;
}) {
  if (topics.length === 0) return <p class="empty">{empty}</p>;
  return (
    <div class="topic-table">
      <div class="topic-columns" aria-hidden="true">
        <span>Topic</span>
        <span>Replies</span>
        <span>Activity</span>
      </div>
      <ul class="topic-list" aria-label={label}>
        {topics.map((t) => {
          const forum = forumOf?.(t);
          return (
            <li class={t.pinned ? 'topic-item pinned' : 'topic-item'}>
              <div class="topic-main">
                <h2 class="topic-title">
                  <a href={`/t/${t.id}/${t.slug}`}>{t.title}</a>
                </h2>
                <UnreadLink topic={t} unread={unread?.get(t.id)} />
                <TopicTags
                  pinned={t.pinned}
                  locked={t.locked}
                  kind={t.kind}
                  answered={t.answered}
                  vendorReplied={t.vendorReplied}
                />
                <p class="topic-meta">
                  {forum ? (
                    <>
                      In <a href={`/f/${forum.slug}`}>{forum.name}</a>
                      {' · '}
                    </>
                  ) : null}
                  Started by {t.author ?? 'a deleted user'} <Age date={t.createdAt} now={now} />
                </p>
              </div>
              <p class="topic-replies">
                <span class="topic-count">{t.replyCount.toLocaleString('en-US')}</span>{' '}
                {t.replyCount === 1 ? 'reply' : 'replies'}
              </p>
              <p class="topic-activity">
                <a href={t.lastPostId ? `/p/${t.lastPostId}` : `/t/${t.id}/${t.slug}`}>Last post</a>{' '}
                {t.lastPoster ? <>by {t.lastPoster} </> : null}
                <Age date={t.lastPostAt} now={now} />
              </p>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** "3 new", linking to where the new posts of the topic start. */
function UnreadLink({ topic, unread }: { topic: TopicListItem; unread: Unread | undefined }) {
  if (!unread) return null;
  const page = unread.page > 1 ? `?page=${unread.page}` : '';
  return (
    <a class="unread-count" href={`/t/${topic.id}/${topic.slug}${page}#new`}>
      {unread.count.toLocaleString('en-US')} new
      <span class="visually-hidden">
        {' '}
        {unread.count === 1 ? 'post' : 'posts'} in {topic.title}
      </span>
    </a>
  );
}
