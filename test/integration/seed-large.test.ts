/**
 * The large-forum generator (`npm run seed:large`): the rows it writes in bulk are what the
 * services would have written, and the forum reads them like any other.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@libsql/client';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { openLibsql } from '../../db/open';
import { users } from '../../db/schema';
import { checkConsistency, type SeedLargeResult, seedLarge } from '../../scripts/seed-large';
import { createApp } from '../../src/app';
import { makeDeps } from '../../src/context';
import { loadConfig } from '../../src/env';
import { removeTopic, restoreTopic } from '../../src/services/moderation';
import { rebuildSearchIndex } from '../../src/services/search-index';

const ROOT = resolve(import.meta.dirname, '../..');
const POSTS = 4000;

let dir: string;
let url: string;
let client: Client;
let result: SeedLargeResult;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'forum-seed-large-'));
  url = `file:${join(dir, 'forum.db')}`;
  result = await seedLarge({
    url,
    posts: POSTS,
    seed: 7,
    progress: false,
    log: (l) => lines.push(l),
  });
  client = await openLibsql({ databaseUrl: url, databaseAuthToken: undefined });
}, 60_000);

afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async (sql: string) => Number((await client.execute(sql)).rows[0]?.[0]);

describe('npm run seed:large', () => {
  it('adds N posts in N/20 topics by N/10 new people, after the demo forums', async () => {
    expect(result.posts).toBe(POSTS);
    expect(result.topics).toBe(POSTS / 20);
    expect(result.users).toBe(POSTS / 10);
    expect(lines.join('\n')).toContain('added the demo forums');
    const demoPosts = await count(
      `SELECT count(*) FROM posts WHERE topic_id < ${result.firstTopicId}`,
    );
    expect(demoPosts).toBeGreaterThan(0);
    expect(await count('SELECT count(*) FROM posts')).toBe(POSTS + demoPosts);
    expect(await count(`SELECT count(*) FROM topics WHERE id >= ${result.firstTopicId}`)).toBe(
      POSTS / 20,
    );
    // spread over the forums, with one long topic
    expect(
      await count(`SELECT count(DISTINCT forum_id) FROM topics WHERE id >= ${result.firstTopicId}`),
    ).toBeGreaterThan(3);
    expect(result.longTopicPosts).toBeGreaterThanOrEqual(60);
  });

  it('keeps every counter, pointer, number, search row and cooked body consistent', async () => {
    const config = loadConfig({ DATABASE_URL: url });
    const checks = await checkConsistency(client, {
      origin: config.publicOrigin,
      houseHosts: config.houseHosts,
    });
    expect(checks.length).toBeGreaterThan(10);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('stays consistent when a moderator removes a topic and restores it', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
    const deps = makeDeps(createDb({ libsql: client }), config);
    const [moderator] = await deps.db
      .update(users)
      .set({ role: 'moderator' })
      .where(eq(users.id, sql`(select min(id) from users)`))
      .returning();
    if (!moderator) throw new Error('no user to make a moderator');
    // A seeded topic with replies (not the long one, which the next test reads).
    const topicId = await count(
      `SELECT topic_id FROM posts WHERE topic_id >= ${result.firstTopicId} AND topic_id != ${result.longTopicId}
       GROUP BY topic_id HAVING count(*) > 2 ORDER BY topic_id LIMIT 1`,
    );
    const failing = async () =>
      (await checkConsistency(client, deps.cook, 20)).filter((c) => !c.ok).map((c) => c.name);
    const indexed = () =>
      count(
        `SELECT count(*) FROM posts_fts WHERE rowid IN (SELECT id FROM posts WHERE topic_id = ${topicId})`,
      );
    const posts = await count(`SELECT count(*) FROM posts WHERE topic_id = ${topicId}`);
    expect(posts).toBeGreaterThan(2);
    expect(await indexed()).toBe(posts);

    await removeTopic(deps, moderator, topicId, { reason: 'spam', note: '' });
    expect(await indexed()).toBe(0);
    expect(await failing()).toEqual([]);
    await restoreTopic(deps, moderator, topicId, '');
    expect(await indexed()).toBe(posts);
    expect(await failing()).toEqual([]);
  });

  it('is repaired by the migration that applies the visibility rule to older data', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
    const cook = { origin: config.publicOrigin, houseHosts: config.houseHosts };
    const topic = await count(
      `SELECT id FROM topics WHERE id >= ${result.firstTopicId} AND post_count > 2 ORDER BY id DESC LIMIT 1`,
    );
    // What moderation left behind before the rule: a removed topic's posts in the search index,
    // its forum still counting it and pointing at it as the latest.
    await client.batch([
      `UPDATE topics SET removed_at = 1 WHERE id = ${topic}`,
      `UPDATE forums SET last_topic_id = ${topic}, topic_count = topic_count + 1
        WHERE id = (SELECT forum_id FROM topics WHERE id = ${topic})`,
    ]);
    const broken = (await checkConsistency(client, cook, 20)).filter((c) => !c.ok);
    expect(broken.length).toBeGreaterThan(1);
    // As an upgrade runs them: this migration, then the later one that re-indexes plain text
    // (the older one indexes markdown), and the rebuild that follows it.
    const deps = makeDeps(createDb({ libsql: client }), config);
    const migrate = async () => {
      for (const file of ['0006_public_visibility.sql', '0011_posts_fts_plain_text.sql']) {
        const text = readFileSync(join(ROOT, 'db/migrations', file), 'utf8');
        await client.batch(text.split('--> statement-breakpoint'));
      }
      await rebuildSearchIndex(deps);
    };
    await migrate();
    expect((await checkConsistency(client, cook, 200)).filter((c) => !c.ok)).toEqual([]);
    await client.execute(`UPDATE topics SET removed_at = NULL WHERE id = ${topic}`);
    await migrate();
    expect((await checkConsistency(client, cook, 200)).filter((c) => !c.ok)).toEqual([]);
  });

  it('writes word-level prose with Zipf-like term frequencies and distinct bodies', async () => {
    const seeded = `SELECT id FROM posts WHERE topic_id >= ${result.firstTopicId}`;
    expect(
      await count(`SELECT count(DISTINCT body_markdown) FROM posts WHERE id IN (${seeded})`),
    ).toBeGreaterThan(POSTS * 0.95);
    await client.execute(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, posts_fts, 'row')",
    );
    const docs = (await client.execute('SELECT doc FROM temp.terms ORDER BY doc DESC')).rows.map(
      (r) => Number(r.doc),
    );
    const share = (rank: number) => (docs[rank - 1] ?? 0) / POSTS;
    // A few words are in most posts, a long tail in very few.
    expect(docs.length).toBeGreaterThan(3000);
    expect(share(1)).toBeGreaterThan(0.5);
    expect(docs.filter((d) => d / POSTS > 0.1 && d / POSTS < 0.3).length).toBeGreaterThan(5);
    expect(share(1000)).toBeLessThan(0.01);
    // Frequency falls with rank about as 1/rank (posts of a few dozen words: flatter at the top).
    expect(docs[99] ?? 0).toBeGreaterThan((docs[999] ?? 0) * 3);
    // Phrases occur: a collocation appears as a phrase in posts.
    const phrase = await count(
      `SELECT count(*) FROM posts_fts WHERE posts_fts MATCH '"licence key"'`,
    );
    expect(phrase).toBeGreaterThan(10);
  });

  it('gives a forum that reads like any other', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url });
    const app = createApp(makeDeps(createDb({ libsql: client }), config), {
      log: () => {},
      clientAddress: () => '192.0.2.1',
    });
    const get = (path: string) => app.request(`http://127.0.0.1:8787${path}`);
    const last = Math.ceil(result.longTopicPosts / 20);
    const topic = await get(`/t/${result.longTopicId}`);
    expect(topic.status).toBe(301);
    const page = await get(`${topic.headers.get('location')}?page=${last}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.match(/<article id="p\d+"/g)?.length).toBe(result.longTopicPosts - (last - 1) * 20);
    expect((await get('/')).status).toBe(200);
  });

  it('says how to use it when N is missing', async () => {
    const run = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        join(ROOT, 'node_modules/.bin/tsx'),
        ['scripts/seed-large.ts', '--posts', 'many'],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: url } },
        (err, _stdout, stderr) =>
          done({ code: typeof err?.code === 'number' ? err.code : 0, stderr }),
      ),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: npm run seed:large -- --posts N');
  }, 60_000);
});
