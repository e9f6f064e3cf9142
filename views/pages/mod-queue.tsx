import { REPORT_REASONS } from '../../domain/words';
import type { HeldPost, WaitingEdit } from '../../src/services/approval';
import type { AuthorRecord } from '../../src/services/moderation';
import type { QueueItem } from '../../src/services/reports';
import { Age } from '../components/age';
import { AuthorRecordLine } from '../components/author-record';
import { REASON_TEXT } from '../components/reason-fields';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export type ModQueuePageProps = {
  frame: Frame;
  items: QueueItem[];
  held: HeldPost[];
  /** edits of published posts waiting for approval */
  edits: WaitingEdit[];
  notice?: string | undefined;
  promise: number;
  /** the records of the authors shown, by id */
  authors: Record<number, AuthorRecord>;
  /** the request's time, for the ages of reports */
  now: number;
};

/** Refusing what waits for approval, with a reason from the list. */
function RefuseForm({ action, id, children }: { action: string; id: string; children: string }) {
  return (
    <form method="post" action={action} class="inline-form">
      <label for={id}>Reason</label>{' '}
      <select id={id} name="reason">
        {REPORT_REASONS.map((r) => (
          <option value={r}>{REASON_TEXT[r].label}</option>
        ))}
      </select>{' '}
      <button type="submit" class="button-danger">
        {children}
      </button>
    </form>
  );
}

const days = (n: number) => `${n.toFixed(1)} business day${n.toFixed(1) === '1.0' ? '' : 's'}`;

const DAY = 24 * 3600_000;

/**
 * How long a post has waited: "reported 4 minutes ago" within its first day; after that also the
 * business days, which the promise counts.
 */
function Waiting({ item, now, promise }: { item: QueueItem; now: number; promise: number }) {
  const underADay = now - item.reportedAt.getTime() < DAY;
  return (
    <>
      {item.overdue ? <strong>Overdue: </strong> : null}
      reported <Age date={item.reportedAt} now={now} />
      {underADay ? null : `, waiting ${days(item.ageBusinessDays)}`}
      {item.overdue ? ` (more than the promised ${promise})` : ''}
    </>
  );
}

/** Open reports, grouped by post, the longest waiting first. */
export function ModQueuePage({
  frame,
  items,
  held,
  edits,
  notice,
  promise,
  authors,
  now,
}: ModQueuePageProps) {
  const record = (id: number | null) => (
    <AuthorRecordLine record={id === null ? null : authors[id]} now={now} />
  );
  return (
    <Layout frame={frame} title="Moderation" noindex>
      <h1>Moderation</h1>
      <p class="lede">
        Reported posts, the longest waiting first. We promise to resolve problems within {promise}{' '}
        business days. <a href="/mod/log">Moderation log</a>
      </p>
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      <h2>Open reports</h2>
      {items.length === 0 ? (
        <p class="empty">No open reports. Nothing is waiting.</p>
      ) : (
        <ol class="queue">
          {items.map((item) => {
            const first = item.reports[0];
            return (
              <li class={item.overdue ? 'queue-item overdue' : 'queue-item'}>
                <h3>
                  <a href={`/p/${item.post.id}`}>
                    Post #{item.post.number} in “{item.post.topicTitle}”
                  </a>
                </h3>
                <p class={item.overdue ? 'queue-age overdue-text' : 'queue-age'}>
                  <Waiting item={item} now={now} promise={promise} />
                  {' · '}
                  {item.reports.length} report{item.reports.length === 1 ? '' : 's'}
                  {item.post.removed ? ' · the post is already removed' : ''}
                </p>
                <p class="queue-author">
                  {item.post.author ? (
                    <a href={`/mod/users/${item.post.author}`}>{item.post.author}</a>
                  ) : (
                    'a deleted user'
                  )}
                  {item.post.authorId === null ? null : (
                    <>
                      {' · '}
                      {record(item.post.authorId)}
                    </>
                  )}
                </p>
                <p class="excerpt">
                  {item.post.author ?? 'a deleted user'}: {item.post.excerpt}
                </p>
                <ul class="queue-reports">
                  {item.reports.map((r) => (
                    <li>
                      {REASON_TEXT[r.reason].label}
                      {r.note ? `: “${r.note}”` : ''} — {r.reporter ?? 'a deleted user'}, reported{' '}
                      <Age date={r.createdAt} now={now} />
                    </li>
                  ))}
                </ul>
                {first ? (
                  <form
                    method="post"
                    action={`/mod/reports/${first.id}/resolve`}
                    class="queue-resolve"
                  >
                    <label for={`note-${first.id}`}>
                      Note (optional; a removal note is shown to the author)
                    </label>
                    <input type="text" id={`note-${first.id}`} name="note" maxlength={1000} />
                    <div class="buttons">
                      <button type="submit" name="action" value="remove" class="button-danger">
                        Remove the post
                      </button>
                      <button type="submit" name="action" value="dismiss" class="button-secondary">
                        Dismiss
                      </button>
                    </div>
                  </form>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      <h2>Waiting for approval</h2>
      {held.length === 0 && edits.length === 0 ? (
        <p class="empty">No posts are waiting for approval.</p>
      ) : null}
      {held.length === 0 ? null : (
        <ol class="queue">
          {held.map((p) => (
            <li class="queue-item">
              <h3>
                <a href={`/t/${p.topicId}/${p.topicSlug}#p${p.id}`}>
                  {p.number === 1 ? 'New topic' : `Reply #${p.number}`}: “{p.topicTitle}”
                </a>
              </h3>
              <p class="queue-age">
                {p.author ?? 'a deleted user'}, <Time date={p.createdAt} />
              </p>
              {p.authorId === null ? null : <p class="queue-author">{record(p.authorId)}</p>}
              <p class="excerpt">{p.excerpt}</p>
              <div class="buttons">
                <form method="post" action={`/posts/${p.id}/approve`} class="inline-form">
                  <button type="submit">Approve</button>
                </form>
                <RefuseForm action={`/posts/${p.id}/reject`} id={`reject-reason-${p.id}`}>
                  Refuse
                </RefuseForm>
              </div>
            </li>
          ))}
        </ol>
      )}
      {edits.length === 0 ? null : (
        <ol class="queue queue-edits">
          {edits.map((e) => (
            <li class="queue-item">
              <h3>
                <a href={`/t/${e.topicId}/${e.topicSlug}#p${e.postId}`}>
                  Edit of {e.number === 1 ? 'the first post' : `reply #${e.number}`}: “
                  {e.topicTitle}”
                </a>
              </h3>
              <p class="queue-age">
                {e.author ?? 'a deleted user'}, <Time date={e.createdAt} />
              </p>
              {e.authorId === null ? null : <p class="queue-author">{record(e.authorId)}</p>}
              <p class="excerpt edit-before">
                <strong>Published:</strong> {e.before}
              </p>
              <p class="excerpt edit-after">
                <strong>Edited to:</strong> {e.after}
              </p>
              <div class="buttons">
                <form method="post" action={`/edits/${e.id}/approve`} class="inline-form">
                  <button type="submit">Approve the edit</button>
                </form>
                <RefuseForm action={`/edits/${e.id}/reject`} id={`reject-edit-reason-${e.id}`}>
                  Refuse the edit
                </RefuseForm>
              </div>
            </li>
          ))}
        </ol>
      )}
    </Layout>
  );
}
