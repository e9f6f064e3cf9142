import type { TopicListItem } from '../../src/services/forums';
import type { Unread } from '../../src/services/reading';
import { Time } from './time';
import { TopicTags } from './topic-tags';

/** A list of topics (a forum's, or the latest of every forum), with tags and last activity. */
export function TopicList({
  topics,
  label,
  empty,
  forumOf,
  unread,
}: {
  topics: TopicListItem[];
  label: string;
  empty: string;
  /** the forum each topic is in, when the list spans forums */
  forumOf?: (t: TopicListItem) => { slug: string; name: string } | undefined;
  /** for a signed-in person: the new posts of topics they read before */
  unread?: Map<number, Unread> | undefined;
}) {
  if (topics.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="topic-list" aria-label={label}>
      {topics.map((t) => {
        const forum = forumOf?.(t);
        return (
          <li class={t.pinned ? 'topic-item pinned' : 'topic-item'}>
            <h2 class="topic-title">
              <a href={`/t/${t.id}/${t.slug}`}>{t.title}</a>
            </h2>
            <UnreadLink topic={t} unread={unread?.get(t.id)} />
            <TopicTags pinned={t.pinned} locked={t.locked} kind={t.kind} answered={t.answered} />
            <p class="topic-meta">
              {forum ? (
                <>
                  In <a href={`/f/${forum.slug}`}>{forum.name}</a>
                  {' · '}
                </>
              ) : null}
              Started by {t.author ?? 'a deleted user'}, <Time date={t.createdAt} />
              {' · '}
              {t.replyCount === 1 ? '1 reply' : `${t.replyCount.toLocaleString('en-US')} replies`}
              {' · '}
              <a href={t.lastPostId ? `/p/${t.lastPostId}` : `/t/${t.id}/${t.slug}`}>last post</a>{' '}
              {t.lastPoster ? <>by {t.lastPoster} </> : null}
              <Time date={t.lastPostAt} />
            </p>
          </li>
        );
      })}
    </ul>
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
