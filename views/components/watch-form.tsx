/**
 * How closely the viewer follows a topic or forum: a plain form (a list and a button), on the
 * topic's or forum's page and, when a choice came back with a problem, on a page of its own.
 */
import type { ForumWatchLevel, TopicWatchLevel } from '../../domain/words';

const LABELS: Record<ForumWatchLevel, string> = {
  watching: 'Watching: every new post',
  watching_first_post: 'Watching first post: new topics only',
  tracking: 'Tracking: unread counts, told when addressed',
  normal: 'Normal: told when addressed',
  muted: 'Muted: told of mentions only',
};

export type WatchChoice<L extends ForumWatchLevel = ForumWatchLevel> = {
  /** where the form goes: /t/:id/watch or /f/:forum/watch */
  action: string;
  levels: readonly L[];
  level: L;
  /** what is watched, for the label: "this topic", "this forum" */
  what: string;
  error?: string | undefined;
};

export type TopicWatchChoice = WatchChoice<TopicWatchLevel>;

export function WatchForm<L extends ForumWatchLevel>(p: WatchChoice<L>) {
  const id = p.action.startsWith('/f/') ? 'forum-watch-level' : 'topic-watch-level';
  return (
    <form method="post" action={p.action} class={p.error ? 'watch-form field-error' : 'watch-form'}>
      <label for={id}>You follow {p.what}:</label>{' '}
      <select id={id} name="level" aria-describedby={p.error ? `${id}-error` : undefined}>
        {p.levels.map((level) => (
          <option value={level} selected={level === p.level}>
            {LABELS[level]}
          </option>
        ))}
      </select>{' '}
      <button type="submit" class="button-secondary button-small">
        Save
      </button>
      {p.error ? (
        <p class="error-message" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
    </form>
  );
}
