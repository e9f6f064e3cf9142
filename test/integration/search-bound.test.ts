/**
 * The bound on ranking (docs/decisions/012-search-ranking-bound.md): with more matching posts
 * than RANKED_POSTS, the page says that it ranked the newest of them, and an older topic whose
 * title is exactly the words searched for still comes first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMember } from '../../src/services/accounts';
import { createForum } from '../../src/services/catalog';
import { createReply, createTopic } from '../../src/services/posting';
import { RANKED_POSTS } from '../../src/services/search';
import { createTestForum, type TestForum } from '../support/forum';
import { parseHtml } from '../support/html';

let forum: TestForum;
let oldTopic: number;

beforeAll(async () => {
  forum = await createTestForum();
  const author = await createMember(forum.deps, { username: 'bound_writer' });
  const lab = await createForum(forum.deps, {
    slug: 'bound-lab',
    name: 'Bound lab',
    category: 'community',
  });
  const step = () => {
    forum.clock.advance(1000);
    return forum.deps;
  };
  oldTopic = (
    await createTopic(step(), {
      forumId: lab.id,
      authorId: author.id,
      title: 'Heron alert',
      body: 'The first heron alert of all.',
      kind: 'discussion',
    })
  ).topicId;
  const busy = await createTopic(step(), {
    forumId: lab.id,
    authorId: author.id,
    title: 'A busy thread',
    body: 'heron alert, heron alert, heron alert: a heron alert in a busy thread.',
    kind: 'discussion',
  });
  for (let i = 0; i <= RANKED_POSTS; i++) {
    await createReply(step(), {
      topicId: busy.topicId,
      authorId: author.id,
      body: `heron alert ${i}`,
    });
  }
}, 120_000);
afterAll(() => forum.close());

it('says when more posts match than it ranks, and still puts an old exact title first', async () => {
  const res = await forum.request('/search?q=heron+alert');
  expect(res.status).toBe(200);
  const doc = parseHtml(await res.text());
  expect(doc.querySelector('.search-results .notice')?.text).toContain(
    `More than ${RANKED_POSTS.toLocaleString('en-US')} posts match`,
  );
  const first = doc.querySelector('.search-hit-title a');
  expect(first?.text).toBe('Heron alert');
  const topic = await forum.request(first?.getAttribute('href') ?? '');
  expect(topic.headers.get('location')).toContain(`/t/${oldTopic}/`);
});

it('says nothing of a bound when every match was ranked', async () => {
  const doc = parseHtml(await (await forum.request('/search?q=first+heron')).text());
  expect(doc.querySelector('.search-results .notice')).toBeNull();
  expect(doc.querySelectorAll('.search-hit')).toHaveLength(1);
});
