import { raw } from 'hono/html';
import { NO_ACTIONS, type PostActions } from '../../src/policy/post-actions';
import type { PostLikes } from '../../src/services/likes';
import type { PostView } from '../../src/services/topics';
import { Avatar } from './avatar';
import { reasonShort } from './reason-fields';
import { Time } from './time';

/** "Vendor · <name>" and "Verified buyer": facts from the author's linked Plimus identity. */
export function PostBadges({ badges }: { badges: PostView['badges'] }) {
  if (!badges.vendor && !badges.buyer) return null;
  return (
    <p class="post-badges">
      {badges.vendor ? <span class="badge badge-vendor">Vendor · {badges.vendor}</span> : null}
      {badges.vendor && badges.buyer ? ' ' : null}
      {badges.buyer ? <span class="badge badge-buyer">Verified buyer</span> : null}
    </p>
  );
}

/**
 * A post's likes: the count for everyone; who liked it for signed-in members (the newest names,
 * in a disclosure, so that the thread stays short).
 */
function LikesLine({ likes }: { likes: PostLikes }) {
  if (likes.count === 0) return null;
  const label = `${likes.count} ${likes.count === 1 ? 'like' : 'likes'}`;
  if (likes.likers.length === 0) return <p class="post-likes">{label}</p>;
  const more = likes.count - likes.likers.length;
  return (
    <details class="post-likes">
      <summary>{label}</summary>
      <p>
        Liked by{' '}
        {likes.likers.map((name, i) => (
          <>
            {i > 0 ? ', ' : null}
            <a href={`/u/${name}`}>@{name}</a>
          </>
        ))}
        {more > 0 ? ` and ${more} more` : null}.
      </p>
    </details>
  );
}

/**
 * One post in a thread; `bodyHtml` is cooked (sanitized) at write time, so it is output as is.
 * An edit waiting for approval is shown instead, marked, to those who may see it.
 */
export function Post({
  post,
  topicId,
  actions = NO_ACTIONS,
  accepted = false,
  likes,
}: {
  post: PostView;
  topicId: number;
  actions?: PostActions;
  /** none when not given */
  likes?: PostLikes;
  /** this reply is the accepted answer of its question */
  accepted?: boolean;
}) {
  const authorName = post.author ? (post.author.displayName ?? post.author.username) : null;
  const gone = !!(post.deletedAt || post.removedAt);
  const unlike = !!likes?.mine && !gone;
  const anyAction =
    actions.like ||
    unlike ||
    actions.quote ||
    actions.edit ||
    actions.delete ||
    actions.history ||
    actions.unaccept ||
    actions.report ||
    actions.moderate;
  const inner = (
    <>
      <header class="post-header">
        <div class="post-byline">
          {post.author ? (
            <Avatar username={post.author.username} name={authorName ?? post.author.username} />
          ) : null}
          <h2 class="post-author" id={`p${post.id}-author`}>
            {post.author ? (
              <a href={`/u/${post.author.username}`}>
                {authorName}
                {authorName !== post.author.username ? (
                  <span class="username"> @{post.author.username}</span>
                ) : null}
              </a>
            ) : (
              <span class="deleted-user">deleted user</span>
            )}
          </h2>
        </div>
        <p class="post-meta">
          {/* The accessible name contains the visible "#n" (WCAG 2.5.3, label in name). */}
          <a
            href={`/p/${post.id}`}
            class="post-number"
            aria-label={`Post #${post.number}, permalink`}
          >
            #{post.number}
          </a>{' '}
          <Time date={post.createdAt} />
          {post.editedAt && !post.deletedAt && !post.removedAt ? (
            <>
              {' · '}
              <span class="edited">
                edited <Time date={post.editedAt} />
              </span>
            </>
          ) : null}
        </p>
        <PostBadges badges={post.badges} />
        {accepted ? <p class="accepted-mark">✓ Accepted answer</p> : null}
        {post.state === 'held' ? (
          <p class="held-mark">
            Waiting for a moderator’s approval: only its author and moderators see it.
          </p>
        ) : null}
        {post.pendingEdit && !post.removedAt && !post.deletedAt ? (
          <p class="held-mark pending-edit-mark">
            Edited <Time date={post.pendingEdit.createdAt} />, waiting for a moderator’s approval:
            only its author and moderators see this version; everyone else sees the published one.
          </p>
        ) : null}
      </header>
      {post.removedAt ? (
        <>
          <p class="post-placeholder">
            Removed by a moderator ({reasonShort(post.removedReason)}).
          </p>
          {actions.removalNote && post.removedNote ? (
            <p class="removal-note">
              <strong>Note from the moderator:</strong> {post.removedNote}
            </p>
          ) : null}
        </>
      ) : post.deletedAt ? (
        <p class="post-placeholder">This post was deleted by its author.</p>
      ) : (
        <div class="post-body">{raw(post.pendingEdit?.bodyHtml ?? post.bodyHtml)}</div>
      )}
      {likes && !gone && post.state !== 'held' ? <LikesLine likes={likes} /> : null}
      {actions.accept ? (
        // The main thing the asker can do with a reply: a button of its own, not one more link.
        <form method="post" action={`/posts/${post.id}/accept`} class="solution-form">
          <button
            type="submit"
            class="button-primary"
            aria-label={`Mark as solution: post #${post.number}`}
          >
            Mark as solution
          </button>
        </form>
      ) : null}
      {anyAction ? (
        <ul class="post-actions" aria-label={`Actions for post #${post.number}`}>
          {unlike ? (
            <li>
              <form method="post" action={`/posts/${post.id}/unlike`} class="inline-form">
                <button
                  type="submit"
                  class="link-button"
                  aria-label={`Unlike post #${post.number}`}
                >
                  Unlike
                </button>
              </form>
            </li>
          ) : actions.like ? (
            <li>
              <form method="post" action={`/posts/${post.id}/like`} class="inline-form">
                <button type="submit" class="link-button" aria-label={`Like post #${post.number}`}>
                  Like
                </button>
              </form>
            </li>
          ) : null}
          {actions.quote ? (
            <li>
              <a href={`/t/${topicId}/replies/new?quote=${post.id}`}>Quote</a>
            </li>
          ) : null}
          {actions.edit ? (
            <li>
              <a href={`/posts/${post.id}/edit`}>Edit</a>
            </li>
          ) : null}
          {actions.history ? (
            <li>
              <a href={`/posts/${post.id}/history`}>History</a>
            </li>
          ) : null}
          {actions.delete ? (
            <li>
              <a href={`/posts/${post.id}/delete`}>Delete</a>
            </li>
          ) : null}
          {actions.unaccept ? (
            <li>
              <form method="post" action={`/posts/${post.id}/unaccept`} class="inline-form">
                <button type="submit" class="link-button">
                  Unaccept answer
                </button>
              </form>
            </li>
          ) : null}
          {actions.report ? (
            <li>
              <a href={`/posts/${post.id}/report`}>Report</a>
            </li>
          ) : null}
          {actions.moderate ? (
            <li>
              <a href={`/mod/posts/${post.id}`}>Moderate</a>
            </li>
          ) : null}
        </ul>
      ) : null}
    </>
  );
  // Spam stays out of readers' way: one closed line, with nothing of the post inside for them;
  // its author and moderators open it to see the post's place, the note and their actions.
  if (post.removedAt && post.removedReason === 'spam') {
    return (
      <article id={`p${post.id}`} class="post post-spam" aria-labelledby={`p${post.id}-spam`}>
        <details class="post-collapsed">
          <summary id={`p${post.id}-spam`}>Post removed as spam</summary>
          {actions.removalNote ? inner : null}
        </details>
      </article>
    );
  }
  return (
    <article
      id={`p${post.id}`}
      class={accepted ? 'post post-accepted' : 'post'}
      aria-labelledby={`p${post.id}-author`}
    >
      {inner}
    </article>
  );
}
