/** The moderation panels of a post, a topic and a member. */
import { raw } from 'hono/html';
import { isPermanentSuspension } from '../../src/policy';
import type { AuthorRecord, PostReport } from '../../src/services/moderation';
import { Age } from '../components/age';
import { AuthorRecordLine } from '../components/author-record';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Radios } from '../components/choice';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { NoteField, REASON_TEXT, ReasonFields } from '../components/reason-fields';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <p class="notice notice-ok" role="status">
      {text}
    </p>
  ) : null;
}

export type ModeratePostPageProps = {
  frame: Frame;
  notice?: string | undefined;
  post: {
    id: number;
    number: number;
    bodyHtml: string;
    author: string | null;
    removedAt: Date | null;
    removedReason: string | null;
    removedNote: string | null;
  };
  topic: { id: number; slug: string; title: string };
  /** the post's reports, open and closed, oldest first */
  reports: PostReport[];
  /** its author's record (none for a deleted author) */
  authorRecord: AuthorRecord | null;
  values: { reason?: string; note?: string };
  errors: FieldErrors;
  /** the request's time, for the ages of reports */
  now: number;
};

const REPORT_STATUS_TEXT: Record<PostReport['status'], string> = {
  open: 'open',
  resolved: 'resolved',
  dismissed: 'dismissed',
};

/** The reports of a post: who, why, when, and whether each is still open. */
function PostReports({ reports, now }: { reports: PostReport[]; now: number }) {
  const open = reports.filter((r) => r.status === 'open').length;
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      {reports.length === 0 ? (
        <p class="empty">Nobody has reported this post.</p>
      ) : (
        <>
          <p>
            {open === 0 ? 'No open reports' : `${open} open report${open === 1 ? '' : 's'}`} of{' '}
            {reports.length}.
          </p>
          <ul class="post-reports">
            {reports.map((r) => (
              <li class={`report report-${r.status}`}>
                {REASON_TEXT[r.reason].label}
                {r.note ? `: “${r.note}”` : ''} — {r.reporter ?? 'a deleted user'}, reported{' '}
                <Age date={r.createdAt} now={now} /> ({REPORT_STATUS_TEXT[r.status]}
                {r.resolvedAt ? (
                  <>
                    {' '}
                    <Age date={r.resolvedAt} now={now} />
                  </>
                ) : null}
                )
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function ModeratePostPage(p: ModeratePostPageProps) {
  const removed = p.post.removedAt;
  const openReports = p.reports.filter((r) => r.status === 'open').length;
  return (
    <Layout frame={p.frame} title={`Moderate post #${p.post.number}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/mod', label: 'Moderation' },
          { href: `/t/${p.topic.id}/${p.topic.slug}`, label: p.topic.title },
        ]}
      />
      <h1>Moderate post #{p.post.number}</h1>
      <Notice text={p.notice} />
      <p>
        By{' '}
        {p.post.author ? (
          <a href={`/mod/users/${p.post.author}`}>{p.post.author}</a>
        ) : (
          'a deleted user'
        )}
        . <a href={`/p/${p.post.id}`}>See it in the topic</a>.
      </p>
      {p.authorRecord ? (
        <p class="queue-author">
          <AuthorRecordLine record={p.authorRecord} now={p.now} />
        </p>
      ) : null}
      <blockquote class="post-body">{raw(p.post.bodyHtml)}</blockquote>
      <PostReports reports={p.reports} now={p.now} />
      {removed ? (
        <section aria-labelledby="restore-title">
          <h2 id="restore-title">Restore</h2>
          <p>
            Removed <Time date={removed} /> for{' '}
            {REASON_TEXT[p.post.removedReason as keyof typeof REASON_TEXT]?.label ??
              'another reason'}
            {p.post.removedNote ? `: ${p.post.removedNote}` : '.'}
          </p>
          <form method="post" action={`/posts/${p.post.id}/restore`} class="form" novalidate>
            <NoteField
              label="Note for the log (optional)"
              value={p.values.note}
              error={p.errors.note}
            />
            <div class="buttons">
              <button type="submit">Restore the post</button>
            </div>
          </form>
        </section>
      ) : (
        <section aria-labelledby="remove-title">
          <h2 id="remove-title">Remove</h2>
          <p>
            The post keeps its place in the topic as “Removed by a moderator (reason)”. Its author
            sees your note.
            {openReports > 0
              ? ` Removing it resolves its ${openReports === 1 ? 'open report' : `${openReports} open reports`}.`
              : ''}
          </p>
          <form method="post" action={`/posts/${p.post.id}/remove`} class="form" novalidate>
            <ErrorSummary errors={p.errors} />
            <ReasonFields legend="Reason" selected={p.values.reason} error={p.errors.reason} />
            <NoteField
              label="Note for the author (optional)"
              hint="Shown to the author of the post and kept in the moderation log."
              value={p.values.note}
              error={p.errors.note}
            />
            <div class="buttons">
              <button type="submit" class="button-danger">
                Remove the post
              </button>
            </div>
          </form>
        </section>
      )}
    </Layout>
  );
}

export type ModerateTopicPageProps = {
  frame: Frame;
  notice?: string | undefined;
  topic: {
    id: number;
    slug: string;
    title: string;
    locked: boolean;
    pinned: boolean;
    removedAt: Date | null;
    removedReason: string | null;
    forumSlug: string;
  };
  forums: { slug: string; name: string }[];
  values: { reason?: string; note?: string; forum?: string };
  errors: FieldErrors;
};

export function ModerateTopicPage(p: ModerateTopicPageProps) {
  const t = p.topic;
  const base = `/t/${t.id}`;
  const toggle = (action: string, label: string) => (
    <form method="post" action={`${base}/${action}`} class="inline-form">
      <button type="submit" class="button-secondary">
        {label}
      </button>
    </form>
  );
  return (
    <Layout frame={p.frame} title={`Moderate “${t.title}”`} noindex>
      <Breadcrumbs items={[{ href: '/mod', label: 'Moderation' }]} />
      <h1>Moderate “{t.title}”</h1>
      <Notice text={p.notice} />
      <ErrorSummary errors={p.errors} />
      {t.removedAt ? null : (
        <p>
          <a href={`${base}/${t.slug}`}>Open the topic</a>
        </p>
      )}
      <section aria-labelledby="state-title">
        <h2 id="state-title">Locked and pinned</h2>
        <p>
          This topic is {t.locked ? 'locked (no new replies)' : 'open for replies'} and{' '}
          {t.pinned ? 'pinned to the top of its forum' : 'not pinned'}.
        </p>
        <div class="buttons">
          {t.locked ? toggle('unlock', 'Unlock') : toggle('lock', 'Lock')}
          {t.pinned ? toggle('unpin', 'Unpin') : toggle('pin', 'Pin')}
        </div>
      </section>
      <section aria-labelledby="move-title">
        <h2 id="move-title">Move to another forum</h2>
        <form method="post" action={`${base}/move`} class="form" novalidate>
          <div class={p.errors.forum ? 'field field-error' : 'field'}>
            <label for="forum">Forum</label>
            {p.errors.forum ? (
              <p class="error-message" id="forum-error">
                {p.errors.forum}
              </p>
            ) : null}
            <select
              id="forum"
              name="forum"
              aria-describedby={p.errors.forum ? 'forum-error' : undefined}
            >
              {p.forums.map((f) => (
                <option value={f.slug} selected={(p.values.forum ?? t.forumSlug) === f.slug}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
          <p class="hint">The topic keeps its address, so links to it keep working.</p>
          <div class="buttons">
            <button type="submit">Move</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="remove-title">
        <h2 id="remove-title">{t.removedAt ? 'Restore' : 'Remove'}</h2>
        {t.removedAt ? (
          <form method="post" action={`${base}/restore`} class="form" novalidate>
            <p>
              Removed <Time date={t.removedAt} /> (
              {REASON_TEXT[t.removedReason as keyof typeof REASON_TEXT]?.label ?? 'other'}).
            </p>
            <NoteField
              label="Note for the log (optional)"
              value={p.values.note}
              error={p.errors.note}
            />
            <div class="buttons">
              <button type="submit">Restore the topic</button>
            </div>
          </form>
        ) : (
          <form method="post" action={`${base}/remove`} class="form" novalidate>
            <p>The whole topic disappears from its forum; it can be restored.</p>
            <ReasonFields legend="Reason" selected={p.values.reason} error={p.errors.reason} />
            <NoteField
              label="Note for the log (optional)"
              value={p.values.note}
              error={p.errors.note}
            />
            <div class="buttons">
              <button type="submit" class="button-danger">
                Remove the topic
              </button>
            </div>
          </form>
        )}
      </section>
    </Layout>
  );
}

export type ModerateUserPageProps = {
  frame: Frame;
  notice?: string | undefined;
  member: {
    username: string;
    role: string;
    suspendedUntil: Date | null;
    suspendedReason: string | null;
    postsNeedApproval: boolean;
  };
  record: AuthorRecord | null;
  canSuspend: boolean;
  canPurge: boolean;
  /** the form `values` and `errors` are of, when one was sent back */
  form?: 'suspend' | 'purge';
  values: { until?: string; preset?: string; reason?: string; note?: string; confirm?: string };
  errors: FieldErrors;
  now: number;
};

/** The lengths beside the date field: plain radio buttons, no script needed. */
const lengthOptions = (dateLabel: string) => [
  { value: '1d', label: '1 day' },
  { value: '1w', label: '1 week' },
  { value: '1m', label: '1 month' },
  { value: 'permanent', label: 'Permanently' },
  { value: 'date', label: dateLabel },
];

/**
 * For spam accounts: every post removed as spam and the account suspended, after a tick in the
 * confirmation box. Its fields have ids of their own: the suspension form beside it has the same
 * names.
 */
function PurgeForm({
  action,
  values,
  errors,
  posts,
}: {
  action: string;
  values: ModerateUserPageProps['values'];
  errors: FieldErrors;
  posts: number | null;
}) {
  const field = (name: string) => (errors[name] ? 'field field-error' : 'field');
  const error = (name: string) =>
    errors[name] ? (
      <p class="error-message" id={`purge-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  const described = (name: string) => (errors[name] ? `purge-${name}-error` : undefined);
  return (
    <section aria-labelledby="purge-title">
      <h2 id="purge-title">Spam account</h2>
      <p>
        Removes every post of the account still shown
        {posts === null ? '' : ` (${posts} visible)`} as spam, with the topics it started, resolves
        the open reports on them and suspends the account: permanently, unless you give a last day.
      </p>
      <form method="post" action={action} class="form purge-form" novalidate>
        {errors.form ? (
          <p class="error-message" role="alert">
            {errors.form}
          </p>
        ) : null}
        <Radios
          name="preset"
          idPrefix="purge"
          legend="Suspended for"
          options={lengthOptions('Through the day below')}
          value={values.preset ?? (values.until ? 'date' : 'permanent')}
          error={errors.preset}
        />
        <div class={field('until')}>
          <label for="purge-until">Last day of the suspension (with “Through the day below”)</label>
          {error('until')}
          <input
            type="date"
            id="purge-until"
            name="until"
            value={values.until ?? ''}
            aria-describedby={described('until')}
          />
        </div>
        <div class={field('reason')}>
          <label for="purge-reason">Reason, shown to the member</label>
          {error('reason')}
          <input
            type="text"
            id="purge-reason"
            name="reason"
            value={values.reason ?? 'Spam.'}
            maxlength={500}
            aria-describedby={described('reason')}
          />
        </div>
        <div class={errors.confirm ? 'field checkbox field-error' : 'field checkbox'}>
          {error('confirm')}
          <input
            type="checkbox"
            id="purge-confirm"
            name="confirm"
            value="1"
            required
            aria-describedby={described('confirm')}
          />
          <label for="purge-confirm">
            Yes, remove every post of this account as spam and suspend it
          </label>
        </div>
        <div class="buttons">
          <button type="submit" class="button-danger">
            Remove all posts and suspend
          </button>
        </div>
      </form>
    </section>
  );
}

export function ModerateUserPage(p: ModerateUserPageProps) {
  const m = p.member;
  const base = `/u/${m.username}`;
  const none: Pick<ModerateUserPageProps, 'values' | 'errors'> = { values: {}, errors: {} };
  const suspend = p.form === 'purge' ? none : p;
  const purge = p.form === 'purge' ? p : none;
  return (
    <Layout frame={p.frame} title={`Moderate ${m.username}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/mod', label: 'Moderation' },
          { href: base, label: m.username },
        ]}
      />
      <h1>Moderate {m.username}</h1>
      <Notice text={p.notice} />
      {p.record ? (
        <p class="queue-author">
          <AuthorRecordLine record={p.record} now={p.now} />
        </p>
      ) : null}
      {m.suspendedUntil ? (
        <section aria-labelledby="suspension-title">
          <h2 id="suspension-title">Suspended</h2>
          <p>
            {isPermanentSuspension(m.suspendedUntil) ? (
              'Suspended permanently'
            ) : (
              <>
                Suspended until <Time date={m.suspendedUntil} />
              </>
            )}
            : {m.suspendedReason}
          </p>
          {p.canSuspend ? (
            <form method="post" action={`${base}/unsuspend`} class="form" novalidate>
              <NoteField
                label="Note for the log (optional)"
                value={p.values.note}
                error={p.errors.note}
              />
              <div class="buttons">
                <button type="submit">Lift the suspension</button>
              </div>
            </form>
          ) : null}
        </section>
      ) : p.canSuspend ? (
        <section aria-labelledby="suspend-title">
          <h2 id="suspend-title">Suspend</h2>
          <p>
            A suspended member can read the forums but cannot post, edit or report. They are told
            why and until when.
          </p>
          <form method="post" action={`${base}/suspend`} class="form" novalidate>
            <ErrorSummary errors={suspend.errors} />
            <Radios
              name="preset"
              legend="Suspended for"
              options={lengthOptions('Through the day below')}
              value={suspend.values.preset ?? 'date'}
              error={suspend.errors.preset}
            />
            <Field
              name="until"
              label="Suspended through (the last day)"
              type="date"
              value={suspend.values.until}
              error={suspend.errors.until}
            />
            <Field
              name="reason"
              label="Reason, shown to the member"
              value={suspend.values.reason}
              error={suspend.errors.reason}
              required
              maxlength={500}
            />
            <div class="buttons">
              <button type="submit" class="button-danger">
                Suspend
              </button>
            </div>
          </form>
        </section>
      ) : (
        <p>You cannot suspend this account ({m.role}).</p>
      )}
      {p.canPurge ? (
        <PurgeForm
          action={`${base}/purge`}
          values={purge.values}
          errors={purge.errors}
          posts={p.record?.visiblePosts ?? null}
        />
      ) : null}
      {p.canSuspend ? (
        <section aria-labelledby="approval-title">
          <h2 id="approval-title">Approval of new posts</h2>
          <p>
            {m.postsNeedApproval
              ? 'New posts by this member wait in the queue until a moderator approves them.'
              : 'New posts by this member are published at once.'}
          </p>
          <form
            method="post"
            action={`${base}/${m.postsNeedApproval ? 'release-posts' : 'hold-posts'}`}
            class="inline-form"
          >
            <button type="submit" class="button-secondary">
              {m.postsNeedApproval
                ? 'Publish their posts at once again'
                : 'Hold their new posts for approval'}
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
