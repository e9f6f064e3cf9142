import { plainText } from '../../src/content/plain-text';
import type { PostActions } from '../../src/policy/post-actions';
import type { AcceptedAnswer } from '../../src/services/answers';
import type { BuyerBadgeChoice } from '../../src/services/badges';
import type { PostLikes } from '../../src/services/likes';
import type { PostView, TopicWithForum } from '../../src/services/topics';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Composer } from '../components/composer';
import { Pagination } from '../components/pagination';
import { Post } from '../components/post';
import { qaPageJsonLd } from '../components/qa-page';
import { Time } from '../components/time';
import { type TopicKindChoice, TopicKindForm } from '../components/topic-kind-form';
import { TopicTags } from '../components/topic-tags';
import { type TopicWatchChoice, WatchForm } from '../components/watch-form';
import { type Frame, joinHref, Layout, signInHref } from '../layouts/site';

export type TopicPageProps = {
  frame: Frame;
  topic: TopicWithForum;
  posts: PostView[];
  page: number;
  pageCount: number;
  canonical: string;
  prevHref: string | null;
  nextHref: string | null;
  /** the forum's public origin, for the absolute URLs of the QAPage markup */
  origin: string;
  /** what the viewer may do with each post, by post id */
  actions: Record<number, PostActions>;
  /** the likes of each post that has any, by post id */
  likes: Map<number, PostLikes>;
  /** a question's accepted answer, while everyone can read it */
  accepted: AcceptedAnswer | null;
  /** replies everyone can read, for the QAPage markup (first page of a question only) */
  answerCount: number | null;
  /** the viewer asked this question, it has replies and no solution yet: say how to mark one */
  solutionPrompt: boolean;
  /** the viewer may make this topic a question or a discussion */
  kindChoice: TopicKindChoice | null;
  /** how closely the signed-in viewer follows this topic; null for visitors */
  watch: TopicWatchChoice | null;
  /**
   * for a signed-in person who read this topic before: the number of the first post they have not
   * seen, where the page marks "New since your last visit"; null otherwise
   */
  newFrom: number | null;
  /**
   * null: the viewer cannot reply (see replyBlocked); otherwise whether to ask the public
   * acknowledgement, and the verified-buyer badge box for buyers of the forum's product
   */
  replyForm: { askPublicAck: boolean; buyerBadge: BuyerBadgeChoice | null } | null;
  /** why there is no reply form, when there is a reason to say */
  replyBlocked: 'sign-in' | 'locked' | 'archived' | 'suspended' | null;
  /** the viewer moderates: link to the topic's moderation panel */
  moderate: boolean;
  /** the viewer's own suspension, to say why and until when */
  suspension: { until: Date; reason: string | null } | null;
};

export function TopicPage(p: TopicPageProps) {
  const t = p.topic;
  const title = p.page > 1 ? `${t.title} (page ${p.page})` : t.title;
  const pageHref = (n: number) => `/t/${t.id}/${t.slug}${n > 1 ? `?page=${n}` : ''}`;
  const lastPage = p.page >= p.pageCount;
  const accepted = p.accepted;
  // Under the question on the first page; at the top of the thread on the others. Not at all
  // where the answer itself comes right after: it would only repeat it.
  const firstIndex = p.posts.findIndex((post) => post.number === 1);
  const atTop = p.page > 1 || firstIndex === -1;
  const nextPost = p.posts[atTop ? 0 : firstIndex + 1];
  const acceptedBlock =
    accepted && nextPost?.id !== accepted.postId ? (
      <AcceptedAnswerBlock
        answer={accepted}
        href={
          p.posts.some((post) => post.id === accepted.postId)
            ? `#p${accepted.postId}`
            : `/p/${accepted.postId}`
        }
      />
    ) : null;
  const prompt = p.solutionPrompt ? (
    <p class="solution-prompt">
      Did a reply solve it? Mark it as the solution: the “Mark as solution” button is under each
      reply.
    </p>
  ) : null;
  const underQuestion = (
    <>
      {acceptedBlock}
      {prompt}
    </>
  );
  const jsonLd =
    p.page === 1
      ? qaPageJsonLd({
          origin: p.origin,
          topic: t,
          posts: p.posts,
          accepted: p.accepted,
          answerCount: p.answerCount,
        })
      : undefined;
  return (
    <Layout
      frame={p.frame}
      title={title}
      description={topicDescription(p)}
      canonical={p.canonical}
      jsonLd={jsonLd}
      feeds={[{ href: `/t/${t.id}/feed.atom`, title: `${t.title}: latest posts` }]}
    >
      <Breadcrumbs
        items={[
          { href: '/', label: 'Forums' },
          { href: `/f/${t.forum.slug}`, label: t.forum.name },
        ]}
      />
      <h1>{t.title}</h1>
      <TopicTags
        pinned={t.pinned}
        locked={t.locked}
        kind={t.kind}
        answered={t.acceptedPostId !== null}
      />
      {p.kindChoice ? <TopicKindForm {...p.kindChoice} /> : null}
      {p.watch ? <WatchForm {...p.watch} /> : null}
      {p.moderate ? (
        <p class="moderate-link">
          <a href={`/mod/topics/${t.id}`}>Moderate this topic</a>
        </p>
      ) : null}
      {p.pageCount > 1 ? <TopicSearch topicId={t.id} /> : null}
      <Pagination
        label="Pages of this topic (top)"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
        hrefOf={pageHref}
      />
      {p.pageCount > 1 ? (
        <p class="jump-last">
          <a href={`${pageHref(p.pageCount)}#last-post`}>Jump to the last post</a>
        </p>
      ) : null}
      {atTop ? underQuestion : null}
      <div class="posts">
        {p.posts.map((post, i) => (
          <>
            {p.newFrom !== null &&
            post.number >= p.newFrom &&
            (p.posts[i - 1]?.number ?? 0) < p.newFrom ? (
              <p class="new-posts-mark" id="new">
                New since your last visit
              </p>
            ) : null}
            {lastPage && i === p.posts.length - 1 ? <span id="last-post" /> : null}
            <Post
              post={post}
              topicId={t.id}
              actions={p.actions[post.id]}
              likes={p.likes.get(post.id)}
              accepted={post.id === p.accepted?.postId}
            />
            {!atTop && post.number === 1 ? underQuestion : null}
          </>
        ))}
      </div>
      <Pagination
        label="Pages of this topic"
        page={p.page}
        pageCount={p.pageCount}
        prevHref={p.prevHref}
        nextHref={p.nextHref}
        hrefOf={pageHref}
      />
      <section class="reply" id="reply" aria-labelledby="reply-title">
        <h2 id="reply-title">Reply</h2>
        {!lastPage && (p.replyForm || p.replyBlocked === 'sign-in') ? (
          // The form is on the last page only, under the newest posts a reply answers.
          <p>
            <a href={`${pageHref(p.pageCount)}#reply`}>Reply on the last page</a>
          </p>
        ) : p.replyForm ? (
          <Composer
            action={`/t/${t.id}/replies`}
            submitLabel="Post reply"
            body=""
            errors={{}}
            askPublicAck={p.replyForm.askPublicAck}
            buyerBadge={p.replyForm.buyerBadge}
          />
        ) : p.replyBlocked === 'sign-in' ? (
          <p>
            <a href={signInHref(p.frame.path)}>Sign in</a> or{' '}
            <a href={joinHref(p.frame.path)}>create an account</a> to reply.
          </p>
        ) : p.replyBlocked === 'locked' ? (
          <p class="notice">This topic is locked: it takes no new replies.</p>
        ) : p.replyBlocked === 'archived' ? (
          <p class="notice">This forum is archived: it takes no new replies.</p>
        ) : p.replyBlocked === 'suspended' ? (
          <p class="notice">
            Your account is suspended until <Time date={p.suspension?.until ?? new Date(0)} />
            {p.suspension?.reason ? `: ${p.suspension.reason}` : ''}. You can read the forums, but
            not post, edit or report until then.
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

/** What search engines show under the title: the question or opening post, as plain text. */
function topicDescription(p: TopicPageProps): string {
  const first = p.posts.find((post) => post.number === 1);
  const readable = first && !first.deletedAt && !first.removedAt && first.state === 'visible';
  const text = readable ? plainText(first.bodyHtml, 160) : '';
  if (text) return text;
  return p.page > 1
    ? `${p.topic.title}: page ${p.page} of a topic in ${p.topic.forum.name}.`
    : `${p.topic.title}: a topic in ${p.topic.forum.name}.`;
}

/** Search within a long topic: the words go to /search with topic:<id>. */
function TopicSearch({ topicId }: { topicId: number }) {
  return (
    <search class="topic-search">
      <form method="get" action="/search">
        <input type="hidden" name="topic" value={String(topicId)} />
        <label for="topic-search-q">Search this topic</label>{' '}
        <input id="topic-search-q" type="search" name="q" maxlength={300} />{' '}
        <button type="submit" class="button-secondary">
          Search
        </button>
      </form>
    </search>
  );
}

/** Where the excerpt of the accepted answer stops: about two lines. */
const EXCERPT_CHARS = 200;

/**
 * The accepted answer, under the question: who wrote it, who chose it and when, the start of it
 * as plain text (two lines), and a link down to the answer itself.
 */
function AcceptedAnswerBlock({ answer, href }: { answer: AcceptedAnswer; href: string }) {
  const name = (u: { username: string; displayName: string | null }) => u.displayName ?? u.username;
  const excerpt = plainText(answer.bodyHtml, EXCERPT_CHARS);
  return (
    <section class="accepted-answer" aria-labelledby="accepted-answer-title">
      <h2 id="accepted-answer-title">Accepted answer</h2>
      <p class="accepted-answer-meta">
        <a href={`/p/${answer.postId}`}>Reply #{answer.number}</a> by{' '}
        {answer.author ? (
          <a href={`/u/${answer.author.username}`}>{name(answer.author)}</a>
        ) : (
          'a deleted user'
        )}
        . Accepted by{' '}
        {answer.acceptedBy ? (
          <>
            <a href={`/u/${answer.acceptedBy.username}`}>{name(answer.acceptedBy)}</a>
            {answer.byAsker ? ' (who asked)' : null}
          </>
        ) : (
          'a deleted user'
        )}{' '}
        on <Time date={answer.acceptedAt} />.
      </p>
      {excerpt ? <p class="accepted-answer-excerpt">{excerpt}</p> : null}
      <p class="accepted-answer-jump">
        <a href={href}>Jump to the answer</a>
      </p>
    </section>
  );
}
