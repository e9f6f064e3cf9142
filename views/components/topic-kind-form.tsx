/**
 * Changing a topic's kind: on the topic page a single button for the other kind; on its own page
 * (when a request came back with a problem) both kinds to choose from.
 */
import type { TopicKind } from '../../domain/words';

export type TopicKindChoice = {
  topicId: number;
  kind: TopicKind;
  /** the question has an accepted answer, which becoming a discussion clears */
  answered: boolean;
};

/** "Make this a question" / "Make this a discussion", with what it means. */
export function TopicKindForm({ topicId, kind, answered }: TopicKindChoice) {
  const other: TopicKind = kind === 'question' ? 'discussion' : 'question';
  return (
    <form method="post" action={`/t/${topicId}/kind`} class="topic-kind-form">
      <input type="hidden" name="kind" value={other} />
      <button type="submit" class="button-secondary button-small">
        {other === 'question' ? 'Make this a question' : 'Make this a discussion'}
      </button>{' '}
      <span class="muted">
        {other === 'question'
          ? 'A question can have one reply marked as its solution.'
          : answered
            ? 'A discussion has no solution: the reply marked as the solution stops being it.'
            : 'A discussion has no solution to mark.'}
      </span>
    </form>
  );
}
