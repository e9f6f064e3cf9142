/**
 * db/rebuild-search-index.sql on D1, where it is needed: `wrangler d1 export` refuses FTS5
 * tables, so a restored export has the forum's tables and an empty search index.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import rebuildSql from '../../db/rebuild-search-index.sql?raw';
import { createMember } from '../../src/services/accounts';
import { createForum } from '../../src/services/catalog';
import { createReply, createTopic } from '../../src/services/posting';
import { edgeForum } from './forum';

/** The statements of a SQL file, as `wrangler d1 execute --file` sends them. */
const statementsOf = (text: string) =>
  text
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

const matching = async (word: string) =>
  (
    await env.DB.prepare('SELECT rowid FROM posts_fts WHERE posts_fts MATCH ? ORDER BY rowid')
      .bind(word)
      .all<{ rowid: number }>()
  ).results.map((r) => r.rowid);

it('puts the posts the forum indexes back into an empty search index, and no others', async () => {
  const { deps } = edgeForum();
  const author = await createMember(deps, { username: 'indexed_author' });
  const forum = await createForum(deps, {
    slug: 'rebuilt',
    name: 'Rebuilt',
    category: 'community',
  });
  const topic = { forumId: forum.id, authorId: author.id, kind: 'discussion' as const };
  const kept = await createTopic(deps, {
    ...topic,
    title: 'Quokka questions',
    body: 'About the quokka.',
  });
  const reply = await createReply(deps, {
    topicId: kept.topicId,
    authorId: author.id,
    body: 'A quokka.',
  });
  const gone = await createTopic(deps, {
    ...topic,
    title: 'Removed topic',
    body: 'A quokka, removed.',
  });
  await env.DB.prepare('UPDATE topics SET removed_at = 1 WHERE id = ?').bind(gone.topicId).run();
  await env.DB.prepare('DELETE FROM posts_fts WHERE rowid = ?').bind(gone.postId).run();
  const indexed = await matching('quokka');
  expect(indexed).toEqual([kept.postId, reply.postId]);

  await env.DB.prepare('DELETE FROM posts_fts').run(); // as an imported export has it
  expect(await matching('quokka')).toEqual([]);
  for (const statement of statementsOf(rebuildSql)) await env.DB.prepare(statement).run();
  expect(await matching('quokka')).toEqual(indexed);
  expect(await matching('questions')).toEqual([kept.postId]); // the title, with the first post
});
