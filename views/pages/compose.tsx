/** The pages that hold a composer: a new topic, a reply, an edit. */
import type { Finding } from '../../src/content/personal-data';
import type { BuyerBadgeChoice } from '../../src/services/badges';
import type { SimilarTopic } from '../../src/services/search';
import { AnnouncementChoice } from '../components/announcement-choice';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Composer } from '../components/composer';
import { Field, type FieldErrors } from '../components/form';
import { type Frame, Layout } from '../layouts/site';

type DraftState = {
  frame: Frame;
  body: string;
  errors: FieldErrors;
  askPublicAck: boolean;
  publicAck?: boolean;
  previewHtml?: string | undefined;
  findings?: Finding[] | undefined;
  /** the verified-buyer badge box, for buyers of a product forum's product */
  buyerBadge?: BuyerBadgeChoice | null | undefined;
  /** the text is a draft kept while the person signed in */
  restored?: boolean | undefined;
};

/** Says that the text below is what the person wrote before signing in. */
function Restored({ restored }: { restored?: boolean | undefined }) {
  if (!restored) return null;
  return (
    <p class="notice notice-ok kept-draft" role="status">
      What you wrote before signing in is back below: post it when it is ready.
    </p>
  );
}

export type NewTopicPageProps = DraftState & {
  forum: { slug: string; name: string };
  title: string;
  kind: 'discussion' | 'question';
  /** "Also email this to subscribers" (an administrator in an announcement forum) */
  emailSubscribers?: { checked: boolean } | undefined;
  /** after Preview: topics whose titles share the title's words */
  similar?: SimilarTopic[] | undefined;
};

export function NewTopicPage(p: NewTopicPageProps) {
  return (
    <Layout frame={p.frame} title={`New topic in ${p.forum.name}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/f/${p.forum.slug}`, label: p.forum.name },
        ]}
      />
      <h1>New topic in {p.forum.name}</h1>
      {p.similar && p.similar.length > 0 ? (
        <section class="similar-topics" aria-labelledby="similar-title">
          <h2 id="similar-title">Similar topics</h2>
          <p>Perhaps one of these already answers it:</p>
          <ul>
            {p.similar.map((t) => (
              <li>
                <a href={`/t/${t.id}/${t.slug}`}>{t.title}</a>
                {t.answered ? <span class="tag tag-answered">Answered</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Restored restored={p.restored} />
      <Composer
        action={`/f/${p.forum.slug}`}
        submitLabel="Post topic"
        body={p.body}
        errors={p.errors}
        askPublicAck={p.askPublicAck}
        publicAck={p.publicAck}
        previewHtml={p.previewHtml}
        findings={p.findings}
        buyerBadge={p.buyerBadge}
        cancelHref={`/f/${p.forum.slug}`}
        before={
          <>
            <Field
              name="title"
              label="Title"
              value={p.title}
              error={p.errors.title}
              required
              maxlength={150}
              hint="5 to 150 characters."
            />
            <fieldset class={p.errors.kind ? 'field field-error' : 'field'}>
              <legend>Kind of topic</legend>
              {p.errors.kind ? <p class="error-message">{p.errors.kind}</p> : null}
              <div class="radio">
                <input
                  type="radio"
                  id="kind-discussion"
                  name="kind"
                  value="discussion"
                  checked={p.kind === 'discussion'}
                />
                <label for="kind-discussion">Discussion</label>
              </div>
              <div class="radio">
                <input
                  type="radio"
                  id="kind-question"
                  name="kind"
                  value="question"
                  checked={p.kind === 'question'}
                />
                <label for="kind-question">Question: one reply can be marked as the answer</label>
              </div>
            </fieldset>
            {p.emailSubscribers ? (
              <AnnouncementChoice checked={p.emailSubscribers.checked} />
            ) : null}
          </>
        }
      />
    </Layout>
  );
}

export type ReplyPageProps = DraftState & {
  topic: { id: number; slug: string; title: string; forum: { slug: string; name: string } };
};

export function ReplyPage(p: ReplyPageProps) {
  const topicHref = `/t/${p.topic.id}/${p.topic.slug}`;
  return (
    <Layout frame={p.frame} title={`Reply to ${p.topic.title}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/f/${p.topic.forum.slug}`, label: p.topic.forum.name },
          { href: topicHref, label: p.topic.title },
        ]}
      />
      <h1>Reply to “{p.topic.title}”</h1>
      <Restored restored={p.restored} />
      <Composer
        action={`/t/${p.topic.id}/replies`}
        submitLabel="Post reply"
        body={p.body}
        errors={p.errors}
        askPublicAck={p.askPublicAck}
        publicAck={p.publicAck}
        previewHtml={p.previewHtml}
        findings={p.findings}
        buyerBadge={p.buyerBadge}
        cancelHref={topicHref}
      />
    </Layout>
  );
}

export type EditPostPageProps = Omit<DraftState, 'askPublicAck' | 'publicAck' | 'buyerBadge'> & {
  post: { id: number; number: number };
  topic: { id: number; slug: string; title: string };
  /** an earlier edit of the post waits for a moderator's approval (the text shown is that edit) */
  waiting?: boolean;
};

export function EditPostPage(p: EditPostPageProps) {
  const postHref = `/p/${p.post.id}`;
  return (
    <Layout frame={p.frame} title={`Edit post #${p.post.number}`} noindex>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/t/${p.topic.id}/${p.topic.slug}`, label: p.topic.title },
        ]}
      />
      <h1>Edit post #{p.post.number}</h1>
      <p class="muted">
        The text you replace is kept in the post's history, which you and moderators can see.
      </p>
      {p.waiting ? (
        <p class="notice" role="status">
          Your last edit of this post waits for a moderator’s approval; until then everyone else
          sees the published version. Saving again replaces the edit that waits.
        </p>
      ) : null}
      <Composer
        action={`/posts/${p.post.id}`}
        submitLabel="Save changes"
        body={p.body}
        errors={p.errors}
        askPublicAck={false}
        previewHtml={p.previewHtml}
        findings={p.findings}
        cancelHref={postHref}
      />
    </Layout>
  );
}
