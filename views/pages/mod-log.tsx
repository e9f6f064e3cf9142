import type { LogEntry, LogFilter } from '../../src/services/moderation';
import { ErrorSummary, type FieldErrors } from '../components/form';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export type ModLogPageProps = {
  frame: Frame;
  entries: LogEntry[];
  filter: LogFilter;
  actions: readonly string[];
  olderHref: string | null;
  errors: FieldErrors;
};

const TARGET_HREF: Record<string, (id: number) => string> = {
  post: (id) => `/p/${id}`,
  topic: (id) => `/mod/topics/${id}`,
};

export function ModLogPage({
  frame,
  entries,
  filter,
  actions,
  olderHref,
  errors,
}: ModLogPageProps) {
  return (
    <Layout frame={frame} title="Moderation log" noindex>
      <h1>Moderation log</h1>
      <p class="lede">
        Every moderation action, newest first. <a href="/mod">Back to the queue</a>
      </p>
      <form method="get" action="/mod/log" class="filters">
        <ErrorSummary errors={errors} />
        <div class="field">
          <label for="moderator">Moderator</label>
          <input
            type="text"
            id="moderator"
            name="moderator"
            value={filter.moderator ?? ''}
            maxlength={20}
          />
        </div>
        <div class="field">
          <label for="action">Action</label>
          <select id="action" name="action">
            <option value="">Any action</option>
            {actions.map((a) => (
              <option value={a} selected={filter.action === a}>
                {a.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <div class={errors.target ? 'field field-error' : 'field'}>
          <label for="target">Target</label>
          {errors.target ? <p class="error-message">{errors.target}</p> : null}
          <input
            type="text"
            id="target"
            name="target"
            value={filter.target ?? ''}
            placeholder="post:12"
          />
        </div>
        <div class="buttons">
          <button type="submit">Filter</button>
          <a href="/mod/log" class="button button-secondary">
            Clear
          </a>
        </div>
      </form>
      {entries.length === 0 ? (
        <p class="empty">
          No entries{filter.moderator || filter.action || filter.target ? ' match this filter' : ''}
          .
        </p>
      ) : (
        <table class="log">
          <caption class="visually-hidden">Moderation actions</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Moderator</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Reason and note</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const href = TARGET_HREF[e.targetType]?.(e.targetId);
              return (
                <tr>
                  <td>
                    <Time date={e.at} />
                  </td>
                  <td>{e.moderator ?? 'no account (the command line, or since deleted)'}</td>
                  <td>{e.action.replace(/_/g, ' ')}</td>
                  <td>
                    {e.targetDeleted ? (
                      <span class="deleted-user">deleted user</span>
                    ) : e.targetUsername ? (
                      <a href={`/mod/users/${e.targetUsername}`}>{e.targetUsername}</a>
                    ) : href ? (
                      <a href={href}>{`${e.targetType} ${e.targetId}`}</a>
                    ) : (
                      `${e.targetType} ${e.targetId}`
                    )}
                  </td>
                  <td>{[e.reason, e.note].filter(Boolean).join(': ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {olderHref ? (
        <nav class="pagination" aria-label="Log pages">
          <a href={olderHref} rel="next">
            Older entries →
          </a>
        </nav>
      ) : null}
    </Layout>
  );
}
