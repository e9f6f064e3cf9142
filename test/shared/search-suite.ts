/**
 * Search, the same on Node (libSQL) and in workerd (D1): the query language through /search, the
 * ranking, one entry per topic, snippets of what readers see, what the public may find (held,
 * removed, deleted and erased posts never, right after each change), rate limits, privacy, the
 * rebuild of an index made before it held plain text, and similar topics after Preview.
 */
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageViewStats, posts, searchReindex, topics } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { approvePost } from '../../src/services/approval';
import { createForum } from '../../src/services/catalog';
import { removePost, removeTopic, restorePost, restoreTopic } from '../../src/services/moderation';
import { createReply, createTopic, deletePost, getPost } from '../../src/services/posting';
import { rebuildSearchIndex } from '../../src/services/search-index';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { agent } from './agent';
import { insertAccount, PASSWORD, signIn, type User } from './people';

let seq = 0;

export type SearchForum = ClockedForum & { logs?: string[] };

export function searchSuite(setup: () => Promise<SearchForum>) {
  let forum: SearchForum;
  let mod: User;
  let alice: User;
  let bob: User;
  let forumId: number;
  let otherForumId: number;
  let passwordHash: string;
  const db = () => forum.deps.db;
  const later = () => {
    forum.clock.advance(60_000);
    return { ...forum.deps, now: forum.deps.now };
  };

  /** A person of their own, as a client of their own, so rate limits do not mix. */
  const client = () => agent(forum.request, { client: `search-${++seq}` });

  async function search(q: string, extra = '') {
    const res = await client().get(`/search?q=${encodeURIComponent(q)}${extra}`);
    const html = await res.text();
    const doc = parseHtml(html);
    const hits = doc.querySelectorAll('.search-hit').map((li) => ({
      href: li.querySelector('.search-hit-title a')?.getAttribute('href') ?? '',
      title: li.querySelector('.search-hit-title')?.text.trim() ?? '',
      snippet: li.querySelector('.search-snippet')?.innerHTML ?? '',
      more: li.querySelector('.search-more')?.text.replace(/\s+/g, ' ').trim() ?? '',
    }));
    return {
      res,
      html,
      doc,
      hits,
      posts: hits.map((h) => Number(h.href.replace('/p/', ''))),
      error: doc.querySelector('#q-error')?.text.trim() ?? null,
      box: doc.querySelector('#q')?.getAttribute('value') ?? null,
    };
  }

  async function topic(
    title: string,
    body: string,
    o: Partial<{ author: User; kind: 'question' | 'discussion'; forumId: number }> = {},
  ) {
    return createTopic(later(), {
      forumId: o.forumId ?? forumId,
      authorId: (o.author ?? alice).id,
      title,
      body,
      kind: o.kind ?? 'discussion',
    });
  }
  const reply = (topicId: number, body: string, author: User = bob) =>
    createReply(later(), { topicId, authorId: author.id, body });

  beforeAll(async () => {
    forum = await setup();
    await seedDemo(forum.deps);
    passwordHash = await hashPassword(PASSWORD);
    const now = forum.deps.now();
    mod = await insertAccount(db(), {
      username: `srch_mod${seq++}`,
      passwordHash,
      now,
      values: { role: 'moderator' },
    });
    alice = await insertAccount(db(), { username: `srch_alice${seq++}`, passwordHash, now });
    bob = await insertAccount(db(), { username: `srch_bob${seq++}`, passwordHash, now });
    forumId = (
      await createForum(forum.deps, {
        slug: `search-lab-${seq++}`,
        name: 'Search lab',
        category: 'community',
      })
    ).id;
    otherForumId = (
      await createForum(forum.deps, {
        slug: `search-other-${seq++}`,
        name: 'Other lab',
        category: 'community',
      })
    ).id;
  });

  describe('words, phrases and exclusions', () => {
    it('finds words in their other forms and without their accents, every word required', async () => {
      const t = await topic(
        'Exporting invoices to the café',
        'The exports stopped after the update.',
      );
      expect((await search('export cafe')).posts).toEqual([t.postId]);
      expect((await search('EXPORTED Café')).posts).toEqual([t.postId]);
      expect((await search('export quokkafish')).posts).toEqual([]);
    });

    it('finds a phrase only with its words in order, and leaves out excluded words', async () => {
      const a = await topic('Phrase one here', 'The purple giraffe printer jammed.');
      const b = await topic('Phrase two here', 'The giraffe was purple, the printer fine.');
      expect((await search('"purple giraffe"')).posts).toEqual([a.postId]);
      expect((await search('giraffe purple')).posts.sort()).toEqual([a.postId, b.postId].sort());
      expect((await search('giraffe -jammed')).posts).toEqual([b.postId]);
      expect((await search('giraffe -"purple giraffe"')).posts).toEqual([b.postId]);
    });

    it('treats FTS5 syntax in the box as text, never as an error', async () => {
      await topic('Operators as words', 'NEAR AND OR NOT are words; so is zebrafinchx.');
      for (const q of [
        'NEAR(zebrafinchx',
        'zebrafinchx*',
        'zebrafinchx OR',
        '(zebrafinchx)',
        '^zebrafinchx',
        'zebrafinchx AND NOT',
        '{body}zebrafinchx',
        'zebrafinchx"',
        '"zebrafinchx" ""',
        "zebrafinchx' --",
        '- zebrafinchx',
        'zebrafinchx: x',
      ]) {
        const r = await search(q);
        expect(r.res.status, q).toBeLessThan(500);
        expect(r.html, q).not.toMatch(/fts5|syntax error|SQLITE/i);
      }
      // Punctuation separates words: these are the word itself, or a phrase with "near".
      expect((await search('(zebrafinchx)')).posts).toHaveLength(1);
      expect((await search('zebrafinchx*')).posts).toHaveLength(1);
      expect((await search('zebrafinchx OR')).posts).toHaveLength(1);
      expect((await search('NEAR(zebrafinchx')).posts).toHaveLength(0);
    });
  });

  describe('operators', () => {
    let question: Awaited<ReturnType<typeof topic>>;
    let answered: Awaited<ReturnType<typeof topic>>;
    let other: Awaited<ReturnType<typeof topic>>;
    beforeAll(async () => {
      question = await topic('Wombat sync question', 'Does the wombat sync work?', {
        kind: 'question',
      });
      answered = await topic('Wombat sync answered', 'Wombat sync again?', {
        kind: 'question',
        author: bob,
      });
      const answer = await reply(answered.topicId, 'Yes, wombat sync works.', alice);
      await db()
        .update(topics)
        .set({
          acceptedPostId: answer.postId,
          acceptedById: bob.id,
          acceptedAt: new Date(forum.deps.now()),
        })
        .where(eq(topics.id, answered.topicId));
      other = await topic('Wombat sync elsewhere', 'Wombat sync in another forum.', {
        forumId: otherForumId,
      });
    });
    const forumSlug = async (id: number) =>
      (await db().all<{ slug: string }>(sql`select slug from forums where id = ${id}`))[0]?.slug;

    it('forum: keeps to one forum; user: and @ to one author', async () => {
      const slug = await forumSlug(otherForumId);
      expect((await search(`wombat forum:${slug}`)).posts).toEqual([other.postId]);
      expect((await search(`wombat user:${bob.username}`)).posts).toEqual([answered.postId]);
      expect((await search(`wombat @${bob.username.toUpperCase()}`)).posts).toEqual([
        answered.postId,
      ]);
    });

    it('is:question, is:answered and is:unanswered follow the accepted answer', async () => {
      const topicsOf = async (q: string) => (await search(q)).hits.map((h) => h.title).sort();
      expect(await topicsOf('wombat is:question')).toEqual([
        'Wombat sync answered',
        'Wombat sync question',
      ]);
      expect(await topicsOf('wombat is:answered')).toEqual(['Wombat sync answered']);
      expect(await topicsOf('wombat is:unanswered')).toEqual(['Wombat sync question']);
    });

    it('in:title looks at titles only', async () => {
      const t = await topic('Capybara in the title', 'Nothing here.');
      await topic('Nothing in the title', 'A capybara in the body.');
      expect((await search('capybara in:title')).posts).toEqual([t.postId]);
      expect((await search('capybara')).posts).toHaveLength(2);
    });

    it('before: and after: take UTC days', async () => {
      const day = new Date(forum.deps.now()).toISOString().slice(0, 10);
      const next = new Date(forum.deps.now() + 86_400_000).toISOString().slice(0, 10);
      expect((await search(`wombat after:${day}`)).posts).toHaveLength(3);
      expect((await search(`wombat after:${next}`)).posts).toEqual([]);
      expect((await search(`wombat before:${day}`)).posts).toEqual([]);
      expect((await search(`wombat before:${next}`)).posts).toHaveLength(3);
    });

    it('order:latest and order:oldest order by date; topic: searches one topic', async () => {
      const order = async (q: string) => (await search(q)).hits.map((h) => h.title);
      expect(await order('wombat order:latest')).toEqual([
        'Wombat sync elsewhere',
        'Wombat sync answered',
        'Wombat sync question',
      ]);
      expect(await order('wombat order:oldest')).toEqual([
        'Wombat sync question',
        'Wombat sync answered',
        'Wombat sync elsewhere',
      ]);
      expect((await search(`works topic:${answered.topicId}`)).hits.map((h) => h.title)).toEqual([
        'Wombat sync answered',
      ]);
      expect((await search(`wombat topic:${question.topicId}`)).posts).toEqual([question.postId]);
    });

    it('the advanced form’s fields become the same operators', async () => {
      const slug = await forumSlug(otherForumId);
      const r = await search('wombat', `&forum=${slug}&order=latest&is=&in=`);
      expect(r.posts).toEqual([other.postId]);
      expect(r.box).toBe(`wombat forum:${slug} order:latest`);
    });
  });

  describe('bad queries', () => {
    const bad: [string, RegExp][] = [
      ['wombat colour:red', /no search operator “colour:”/],
      ['wombat forum:', /forum: needs a value/],
      ['wombat forum:Not_A_Slug!', /cannot be a forum/],
      ['wombat forum:no-such-forum', /no forum at \/f\/no-such-forum/],
      ['wombat user:nobody-here-at-all', /no member called/],
      ['wombat @bad!name', /cannot be a username/],
      ['wombat is:closed', /is: takes question, answered or unanswered/],
      ['wombat is:answered is:unanswered', /exclude each other/],
      ['wombat in:body', /in: takes title/],
      ['wombat before:2026-02-30', /not one/],
      ['wombat after:yesterday', /takes a date/],
      ['wombat after:2026-05-01 before:2026-04-01', /after: must be a day before before:/],
      ['wombat order:random', /order: takes relevance, latest or oldest/],
      ['wombat topic:abc', /topic: takes the number/],
      ['wombat forum:a forum:b', /only once/],
      ['"wombat sync', /quotation mark is not closed/],
      ['-wombat', /cannot consist only of words to leave out/],
      ['is:question', /Type a word to search for/],
      ['"" - *** ()', /Type a word to search for/],
      [`wombat ${'x'.repeat(300)}`, /at most 300 characters/],
      [Array.from({ length: 13 }, (_, i) => `w${i}`).join(' '), /at most 12 words/],
    ];
    it.each(bad)('%s: 400, the query kept in the box, the reason next to it', async (q, reason) => {
      const r = await search(q);
      expect(r.res.status).toBe(400);
      expect(r.error).toMatch(reason);
      expect(r.box).toBe(q);
      expect(r.doc.querySelector('#q')?.getAttribute('aria-invalid')).toBe('true');
      expect(r.html).not.toMatch(/fts5|SQLITE|syntax error/i);
    });

    it('an empty box is the search page, 200, with no results', async () => {
      const r = await search('');
      expect(r.res.status).toBe(200);
      expect(r.hits).toEqual([]);
      expect(r.doc.querySelector('#q')).not.toBeNull();
    });
  });

  describe('results', () => {
    it('rank a title match above body matches, and an exact title match first', async () => {
      const body = await topic(
        'Something about ferrets',
        'Narwhal ledger narwhal ledger narwhal ledger.',
      );
      const title = await topic('The narwhal ledger guide', 'A guide.');
      const exact = await topic('Narwhal ledger', 'Exactly this.');
      const r = await search('narwhal ledger');
      expect(r.posts).toEqual([exact.postId, title.postId, body.postId]);
    });

    it('give one entry per topic, its best post, and count the other matches', async () => {
      const t = await topic('A thread about animals', 'Opening words.');
      await reply(t.topicId, 'An aardvark once.');
      const best = await reply(t.topicId, 'Aardvark aardvark aardvark, all about the aardvark.');
      await reply(t.topicId, 'Another aardvark.');
      const r = await search('aardvark');
      expect(r.hits).toHaveLength(1);
      expect(r.posts).toEqual([best.postId]);
      expect(r.hits[0]?.more).toBe('and 2 more matching posts in this topic');
    });

    it('show the words readers see, matched words marked, no markdown or link addresses', async () => {
      await topic(
        'Markdown in a post',
        'See **bold pangolin** and [the pangolin docs](https://example.com/secret-path).',
      );
      const r = await search('pangolin');
      const snippet = r.hits[0]?.snippet ?? '';
      expect(snippet).toContain('<mark>pangolin</mark>');
      expect(snippet).not.toContain('**');
      expect(snippet).not.toContain('secret-path');
      expect(snippet).toContain('the <mark>pangolin</mark> docs');
    });

    it('escape what posts say before marking it', async () => {
      await topic(
        'Escaping',
        'The <b>walrus</b> & \uE000walrus\uE001 typed `<script>alert("walrus")</script>` here',
      );
      const r = await search('walrus');
      const snippet = r.hits[0]?.snippet ?? '';
      const tags = [...snippet.matchAll(/<\/?([a-z]+)/gi)].map((m) => m[1]);
      expect(new Set(tags)).toEqual(new Set(['mark']));
      expect(snippet).toContain('&lt;script&gt;alert(&quot;<mark>walrus</mark>&quot;)');
      expect(snippet).not.toContain('\uE000');
    });

    it('page 20 at a time with next and previous links; an empty result says what to try', async () => {
      for (let i = 0; i < 23; i++) await topic(`Okapi topic ${i}`, 'okapi');
      const first = await search('okapi');
      expect(first.hits).toHaveLength(20);
      const next = first.doc.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
      const second = await client().get(next);
      const doc = parseHtml(await second.text());
      expect(doc.querySelectorAll('.search-hit')).toHaveLength(3);
      expect(doc.querySelector('a[rel=prev]')?.getAttribute('href')).toBe('/search?q=okapi');
      const none = await search('okapi nosuchwordanywhere');
      expect(none.doc.querySelector('.search-results .empty')?.text).toContain('remove operators');
      expect(none.html).toContain('ask a new question');
    });
  });

  describe('only what the public may see', () => {
    it('never finds held, removed, deleted or erased posts, right after each change', async () => {
      const found = async () => (await search('tapirfinder')).hits.length;
      const t = await topic('Tapir thread', 'tapirfinder opening');
      const kept = await reply(t.topicId, 'tapirfinder kept');
      const removed = await reply(t.topicId, 'tapirfinder removed');
      const deleted = await reply(t.topicId, 'tapirfinder deleted');
      expect(await found()).toBe(1); // one entry per topic
      const count = async () => (await search('tapirfinder')).hits[0]?.more;
      expect(await count()).toBe('and 3 more matching posts in this topic');

      await removePost(later(), mod, removed.postId, { reason: 'spam', note: '' });
      expect(await count()).toBe('and 2 more matching posts in this topic');
      await deletePost(
        later(),
        { ...bob, publicAckAt: null, lastPostedAt: null },
        await getPost(forum.deps, deleted.postId),
      );
      expect(await count()).toBe('and 1 more matching post in this topic');

      // Held for a moderator's approval (as when a moderator holds the author's posts).
      const held = await createReply(later(), {
        topicId: t.topicId,
        authorId: bob.id,
        body: 'tapirfinder held',
        held: true,
      });
      expect((await db().select().from(posts).where(eq(posts.id, held.postId)).get())?.state).toBe(
        'held',
      );
      expect(await count()).toBe('and 1 more matching post in this topic');
      await approvePost(later(), mod, held.postId);
      expect(await count()).toBe('and 2 more matching posts in this topic');

      // A removed topic takes its posts out; a post restored inside it waits for the topic.
      await removeTopic(later(), mod, t.topicId, { reason: 'off_topic', note: '' });
      expect(await found()).toBe(0);
      await restorePost(later(), mod, removed.postId, '');
      expect(await found()).toBe(0);
      await restoreTopic(later(), mod, t.topicId, '');
      expect(await count()).toBe('and 3 more matching posts in this topic');
      expect((await search(`tapirfinder deleted topic:${t.topicId}`)).posts).toEqual([]);
      expect((await search(`tapirfinder kept topic:${t.topicId}`)).posts).toEqual([kept.postId]);
    });

    it('never finds the posts of an account deleted with its posts', async () => {
      const username = `srch_gone${seq++}`;
      const gone = await insertAccount(db(), { username, passwordHash, now: forum.deps.now() });
      await topic('Erased words', 'quetzalerase in an opening post', { author: gone });
      const other = await topic('Someone else', 'An opening post.');
      await reply(other.topicId, 'quetzalerase in a reply', gone);
      expect((await search('quetzalerase')).hits).toHaveLength(2);
      const a = await signIn(forum.request, username);
      const res = await a.post('/account/delete', { keep_posts: 'no', password: PASSWORD });
      expect(res.status).toBe(303);
      expect((await search('quetzalerase')).hits).toEqual([]);
    });
  });

  describe('privacy and limits', () => {
    it('never caches or logs a query; counts the page as the kind "/search"', async () => {
      const r = await search('secretword1234');
      expect(r.res.headers.get('cache-control')).toBe('no-store');
      if (forum.logs) {
        expect(forum.logs.join('\n')).not.toContain('secretword1234');
        expect(forum.logs.some((l) => /^GET \/search 200 /.test(l))).toBe(true);
      }
      forum.clock.advance(31_000);
      await search('secretword1234');
      await new Promise((done) => setTimeout(done, 50));
      const kinds = await db().select().from(pageViewStats);
      expect(kinds.some((k) => k.kind === '/search')).toBe(true);
      expect(JSON.stringify(kinds)).not.toContain('secretword');
    });

    it('limits searches per client: 429 with Retry-After, other clients unaffected', async () => {
      const a = agent(forum.request, { client: 'search-busy' });
      for (let i = 0; i < 30; i++) expect((await a.get(`/search?q=okapi${i}`)).status).toBe(200);
      const refused = await a.get('/search?q=okapi');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await client().get('/search?q=okapi')).status).toBe(200);
      forum.clock.advance(61_000);
      expect((await a.get('/search?q=okapi')).status).toBe(200);
    });
  });

  describe('the index', () => {
    it('is rebuilt with plain text from what an older version indexed (markdown)', async () => {
      const t = await topic(
        'Rebuilt topic',
        'The **ibexword** is [linked](https://example.com/ibexpath).',
      );
      // As an older version wrote it: the markdown.
      await db().run(sql`delete from posts_fts where rowid = ${t.postId}`);
      await db().run(
        sql`insert into posts_fts (rowid, title, body) values (${t.postId}, 'Rebuilt topic', 'The **ibexword** is [linked](https://example.com/ibexpath).')`,
      );
      expect((await search('ibexpath')).posts).toEqual([t.postId]);
      await db().insert(searchReindex).values({ nextPostId: t.postId, lastPostId: t.postId });
      expect(await rebuildSearchIndex(forum.deps)).toBe(1);
      expect((await search('ibexpath')).posts).toEqual([]);
      expect((await search('ibexword linked')).posts).toEqual([t.postId]);
      expect(await db().select().from(searchReindex)).toEqual([]);
      // The rebuild turned secure-delete off for its own batches only.
      const config = await db().all<{ v: number }>(
        sql`select v from posts_fts_config where k = 'secure-delete'`,
      );
      expect(config.map((c) => Number(c.v))).toEqual([1]);
    });
  });

  describe('similar topics', () => {
    it('are shown after Preview on the new-topic form', async () => {
      await topic('Flamingo printer prints pink', 'It does.');
      const a = await signIn(forum.request, alice.username);
      const slug = (
        await db().all<{ slug: string }>(sql`select slug from forums where id = ${forumId}`)
      )[0]?.slug;
      const res = await a.post(`/f/${slug}`, {
        title: 'Why does my printer print flamingo pink?',
        body: 'Help',
        kind: 'question',
        preview: '1',
      });
      expect(res.status).toBe(200);
      const doc = parseHtml(await res.text());
      expect(doc.querySelector('.similar-topics')?.text).toContain('Flamingo printer prints pink');
      expect(
        await db()
          .select()
          .from(topics)
          .where(
            and(
              eq(topics.forumId, forumId),
              eq(topics.title, 'Why does my printer print flamingo pink?'),
            ),
          ),
      ).toEqual([]);
    });
  });
}
