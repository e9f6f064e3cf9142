/**
 * schema.org QAPage markup for a question (https://schema.org/QAPage): the question, its accepted
 * answer and the other replies on the page, as JSON-LD. The Layout serializes it safely.
 */
import { plainText } from '../../src/content/plain-text';
import type { AcceptedAnswer } from '../../src/services/answers';
import type { PostAuthor, PostView, TopicWithForum } from '../../src/services/topics';

type Person = { '@type': 'Person'; name: string; url?: string };

const person = (origin: string, author: PostAuthor | null): Person =>
  author
    ? {
        '@type': 'Person',
        name: author.displayName ?? author.username,
        url: `${origin}/u/${author.username}`,
      }
    : { '@type': 'Person', name: 'deleted user' };

const answer = (
  origin: string,
  a: { id: number; bodyHtml: string; createdAt: Date; author: PostAuthor | null },
) => ({
  '@type': 'Answer',
  text: plainText(a.bodyHtml),
  dateCreated: a.createdAt.toISOString(),
  url: `${origin}/p/${a.id}`,
  author: person(origin, a.author),
});

const readable = (p: PostView) => !p.deletedAt && !p.removedAt && p.state === 'visible';

/**
 * The markup of a question's first page, or undefined when there is none to give (not a
 * question, or the question's own post is not on the page or not readable).
 */
export function qaPageJsonLd(p: {
  origin: string;
  topic: TopicWithForum;
  /** the posts of the page */
  posts: PostView[];
  accepted: AcceptedAnswer | null;
  answerCount: number | null;
}): unknown {
  const question = p.posts.find((post) => post.number === 1);
  if (p.topic.kind !== 'question' || !question || !readable(question)) return undefined;
  const suggested = p.posts.filter(
    (post) => post.number > 1 && readable(post) && post.id !== p.accepted?.postId,
  );
  return {
    '@context': 'https://schema.org',
    '@type': 'QAPage',
    mainEntity: {
      '@type': 'Question',
      name: p.topic.title,
      text: plainText(question.bodyHtml),
      answerCount: p.answerCount ?? Math.max(0, p.topic.postCount - 1),
      dateCreated: question.createdAt.toISOString(),
      author: person(p.origin, question.author),
      ...(p.accepted
        ? {
            acceptedAnswer: answer(p.origin, {
              id: p.accepted.postId,
              bodyHtml: p.accepted.bodyHtml,
              createdAt: p.accepted.createdAt,
              author: p.accepted.author,
            }),
          }
        : {}),
      ...(suggested.length > 0
        ? { suggestedAnswer: suggested.map((post) => answer(p.origin, post)) }
        : {}),
    },
  };
}
