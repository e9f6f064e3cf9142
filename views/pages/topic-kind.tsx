/** The kind of a topic, on its own page: shown again when a change came back with a problem. */
import type { TopicKind } from '../../domain/words';
import { Breadcrumbs } from '../components/breadcrumbs';
import { type Frame, Layout } from '../layouts/site';

export type TopicKindPageProps = {
  frame: Frame;
  topic: {
    id: number;
    slug: string;
    title: string;
    kind: TopicKind;
    forum: { slug: string; name: string };
  };
  errors: Record<string, string>;
};

export function TopicKindPage({ frame, topic, errors }: TopicKindPageProps) {
  const href = `/t/${topic.id}/${topic.slug}`;
  return (
    <Layout frame={frame} title={`Kind of topic: ${topic.title}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/f/${topic.forum.slug}`, label: topic.forum.name },
          { href, label: topic.title },
        ]}
      />
      <h1>Kind of topic</h1>
      <form method="post" action={`/t/${topic.id}/kind`}>
        <fieldset class={errors.kind ? 'field field-error' : 'field'}>
          <legend>“{topic.title}” is</legend>
          {errors.kind ? (
            <p class="error-message" id="kind-error">
              {errors.kind}
            </p>
          ) : null}
          <div class="radio">
            <input
              type="radio"
              id="kind-discussion"
              name="kind"
              value="discussion"
              checked={topic.kind === 'discussion'}
            />
            <label for="kind-discussion">A discussion</label>
          </div>
          <div class="radio">
            <input
              type="radio"
              id="kind-question"
              name="kind"
              value="question"
              checked={topic.kind === 'question'}
            />
            <label for="kind-question">A question: one reply can be marked as the solution</label>
          </div>
        </fieldset>
        <p>
          <button type="submit">Save</button> <a href={href}>Back to the topic</a>
        </p>
      </form>
    </Layout>
  );
}
