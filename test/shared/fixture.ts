/**
 * The content page tests read: the demo content, plus a long topic (3 pages of posts) and a
 * busy forum (3 pages of topics, one pinned), all written through the real services.
 */
import { eq } from 'drizzle-orm';
import { topics } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import type { AppDeps } from '../../src/context';
import { createMember } from '../../src/services/accounts';
import { createForum } from '../../src/services/catalog';
import { createReply, createTopic } from '../../src/services/posting';

export type Fixture = Awaited<ReturnType<typeof buildFixture>>;

export async function buildFixture(deps: AppDeps) {
  await seedDemo(deps);
  const writer = await createMember(deps, { username: 'Writer_One', displayName: 'Wendy Writer' });
  const busy = await createForum(deps, {
    slug: 'busy',
    name: 'Busy forum',
    description: 'Lots of topics.',
    category: 'community',
  });
  // 65 topics: pages of 30, 30 and 5. Each is created a minute after the one before.
  const created: { topicId: number; title: string }[] = [];
  let at = deps.now();
  const stepped: AppDeps = { ...deps, now: () => at };
  for (let i = 1; i <= 65; i++) {
    at += 60_000;
    const title = `Busy topic number ${i}`;
    const t = await createTopic(stepped, {
      forumId: busy.id,
      authorId: writer.id,
      title,
      body: `Body of busy topic ${i}.`,
      kind: 'discussion',
    });
    created.push({ topicId: t.topicId, title });
  }
  const oldest = created[0] as { topicId: number; title: string };
  await deps.db.update(topics).set({ pinned: true }).where(eq(topics.id, oldest.topicId));

  at += 60_000;
  const long = await createTopic(stepped, {
    forumId: busy.id,
    authorId: writer.id,
    title: 'A long thread',
    body: 'Post number one, with a [link to elsewhere](https://example.com/docs?a=1&b=2).',
    kind: 'question',
  });
  const replyIds: number[] = [];
  for (let n = 2; n <= 45; n++) {
    at += 60_000;
    const r = await createReply(stepped, {
      topicId: long.topicId,
      authorId: writer.id,
      body: `Reply number ${n}.`,
    });
    replyIds.push(r.postId);
  }
  const scheduled = await demoTopic(
    deps,
    'Scheduled backup skips files that are open in another program',
  );
  return { writer, busy, oldest, created, long, replyIds, scheduled, lastAt: at };
}

/** A topic of the demo content, found by its title: its id and its page's path. */
export async function demoTopic(deps: AppDeps, title: string) {
  const row = await deps.db
    .select({ id: topics.id, slug: topics.slug })
    .from(topics)
    .where(eq(topics.title, title))
    .get();
  if (!row) throw new Error(`no demo topic titled ${title}`);
  return { topicId: row.id, path: `/t/${row.id}/${row.slug}` };
}
