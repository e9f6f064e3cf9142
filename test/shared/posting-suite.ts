/**
 * Posting, the same on Node (libSQL) and in workerd (D1): topics, replies, edits, deletion,
 * quotes, previews, the public-content warning, the personal-data check and posting limits.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { forums, postRevisions, posts, topics, users } from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { cookingWork } from '../../src/content/cook';
import { COMMAND_LINE } from '../../src/policy/admin';
import { setForumArchived } from '../../src/services/admin';
import { createForum } from '../../src/services/catalog';
import { createReply, createTopic } from '../../src/services/posting';
import { MAX_BODY } from '../../src/validation/forms';
import { repeat, WORST_INPUTS } from '../fixtures/cooking/worst';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { insertAccount, PASSWORD, signIn } from './people';

let seq = 0;

export function postingSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  const db = () => forum.deps.db;

  /** A signed-in member; `aged` accounts are past the first day, `acked` have posted before. */
  async function member(
    opts: { aged?: boolean; acked?: boolean; role?: 'member' | 'moderator' } = {},
  ) {
    const username = `poster_${++seq}`;
    const now = forum.deps.now();
    const user = await insertAccount(db(), {
      username,
      passwordHash,
      now,
      ageDays: opts.aged ? 2 : 0,
      values: { role: opts.role ?? 'member', publicAckAt: opts.acked ? new Date(now) : null },
    });
    return { a: await signIn(forum.request, username), user };
  }

  const postCount = async () => (await db().select({ n: count() }).from(posts).get())?.n ?? 0;
  const topicByTitle = (title: string) =>
    db().select().from(topics).where(eq(topics.title, title)).get();
  const userRow = (id: number) => db().select().from(users).where(eq(users.id, id)).get();
  const searchFor = (word: string) =>
    db().all<{ rowid: number }>(sql`select rowid from posts_fts where posts_fts match ${word}`);
  const page = async (res: Response) => parseHtml(await res.text());

  async function newTopic(a: Agent, fields: Record<string, string>, forumSlug = 'off-topic') {
    return a.post(`/f/${forumSlug}`, { kind: 'discussion', ...fields });
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
  });

  describe('the public-content warning', () => {
    it('is next to the submit button of every composer, with a link to the privacy notice', async () => {
      const { a } = await member({ aged: true, acked: true });
      const topic = await topicByTitle('What are you working on this week?');
      const firstPost = await db()
        .select()
        .from(posts)
        .where(and(eq(posts.topicId, topic?.id ?? 0), eq(posts.number, 1)))
        .get();
      const mine = await newTopic(a, { title: 'Warning check topic', body: 'Hello there.' });
      const myTopic = await topicByTitle('Warning check topic');
      expect(mine.status).toBe(303);
      for (const path of [
        '/f/off-topic/new',
        `/t/${topic?.id}/replies/new`,
        `/t/${topic?.id}/replies/new?quote=${firstPost?.id}`,
        `/t/${topic?.id}/${topic?.slug}`,
        `/posts/${myTopic?.firstPostId}/edit`,
      ]) {
        const doc = await page(await a.get(path));
        const actions = doc.querySelector('form.composer .composer-actions');
        expect(actions, path).not.toBeNull();
        const notice = actions?.querySelector('.public-notice');
        expect(notice?.text, path).toContain('will be public');
        expect(notice?.text).toContain('search engines');
        expect(notice?.text).toMatch(
          /email addresses, phone numbers, postal\s+addresses, licence keys or order numbers/,
        );
        expect(notice?.querySelector('a')?.getAttribute('href')).toMatch(/^\/privacy/);
        expect(actions?.querySelector('button:not([name])')?.getAttribute('aria-describedby')).toBe(
          'public-notice',
        );
        // Said once: not again elsewhere in the form, nor in the page's footer.
        const saying = /public|search engines/i;
        expect(doc.querySelectorAll('.public-notice'), path).toHaveLength(1);
        const form = doc.querySelector('form.composer');
        notice?.remove();
        expect(form?.text, path).not.toMatch(saying);
        expect(doc.querySelector('.site-footer')?.text, path).not.toMatch(saying);
      }
    });

    it('puts the one-time acknowledgement with the notice, and the preview below the text', async () => {
      const { a } = await member({ aged: true });
      const doc = await page(
        await newTopic(a, { title: 'Previewed first topic', body: '**Bold** words', preview: '1' }),
      );
      const form = doc.querySelector('form.composer');
      expect(form?.classList.contains('composer-previewing')).toBe(true);
      const actions = form?.querySelector('.composer-actions');
      // The acknowledgement right above the notice, and the notice right above the buttons.
      expect(actions?.children.map((n) => n.classNames)).toEqual([
        'field checkbox',
        'public-notice',
        'buttons',
      ]);
      expect(actions?.querySelector('.checkbox input[name=public_ack]')).not.toBeNull();
      expect(actions?.querySelector('label[for=public_ack]')?.text).toBe(
        'I understand that my posts are public.',
      );
      // One saying, one acknowledgement: nothing else in the form says it.
      actions?.querySelector('.public-notice')?.remove();
      actions?.querySelector('.checkbox')?.remove();
      expect(form?.text).not.toMatch(/public|search engines/i);
      // The text box, then its preview (side by side on wide screens); no preview above the form.
      const write = doc.querySelector('form.composer .composer-write');
      expect(write?.children.map((n) => n.classNames)).toEqual(['field', 'preview']);
      expect(write?.querySelector('.field textarea#body')).not.toBeNull();
      expect(write?.querySelector('.preview .post-body strong')?.text).toBe('Bold');
      expect(doc.querySelectorAll('.preview')).toHaveLength(1);
    });

    it('asks for the one-time acknowledgement before the first post and stores its date', async () => {
      const { a, user } = await member({ aged: true });
      const form = await page(await a.get('/f/off-topic/new'));
      expect(form.querySelector('input[name=public_ack][type=checkbox]')).not.toBeNull();
      const before = await postCount();
      const refused = await newTopic(a, { title: 'My very first topic', body: 'First words.' });
      expect(refused.status).toBe(422);
      const doc = await page(refused);
      expect(doc.querySelector('#public_ack-error')?.text).toMatch(
        /understand your posts are public/,
      );
      expect(doc.querySelector('#title')?.getAttribute('value')).toBe('My very first topic');
      expect(doc.querySelector('#body')?.text.trim()).toBe('First words.');
      expect(await postCount()).toBe(before);
      expect((await userRow(user.id))?.publicAckAt).toBeNull();

      const ok = await newTopic(a, {
        title: 'My very first topic',
        body: 'First words.',
        public_ack: '1',
      });
      expect(ok.status).toBe(303);
      expect((await userRow(user.id))?.publicAckAt?.getTime()).toBe(forum.deps.now());
      forum.clock.advance(10_000);
      const again = await page(await a.get('/f/off-topic/new'));
      expect(again.querySelector('input[name=public_ack]')).toBeNull();
      expect(
        (await newTopic(a, { title: 'My second topic here', body: 'More words.' })).status,
      ).toBe(303);
    });
  });

  describe('POST /f/:forum', () => {
    it('creates the topic, its first post, the counters and the search entry in one go', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      const offTopic = await db().select().from(forums).where(eq(forums.slug, 'off-topic')).get();
      const res = await newTopic(a, {
        title: '  Markdown   showcase  ',
        body: '# Heading\n\nSome **bold** and a [link](https://example.org/docs).\n\n```js\nlet x = 1;\n```',
        kind: 'question',
      });
      expect(res.status).toBe(303);
      const topic = await topicByTitle('Markdown showcase');
      expect(location(res)).toBe(`/t/${topic?.id}/markdown-showcase`);
      expect(topic).toMatchObject({
        kind: 'question',
        postCount: 1,
        highestNumber: 1,
        userId: user.id,
      });
      const after = await db()
        .select()
        .from(forums)
        .where(eq(forums.id, offTopic?.id ?? 0))
        .get();
      expect(after?.topicCount).toBe((offTopic?.topicCount ?? 0) + 1);
      expect(after?.postCount).toBe((offTopic?.postCount ?? 0) + 1);
      expect(after?.lastTopicId).toBe(topic?.id);
      expect((await userRow(user.id))?.postCount).toBe(1);
      expect((await searchFor('showcase')).map((r) => r.rowid)).toEqual([topic?.firstPostId]);
      const doc = await page(await a.get(location(res)));
      const body = doc.querySelector(`#p${topic?.firstPostId} .post-body`);
      expect(body?.querySelector('h3')?.text).toBe('Heading');
      expect(body?.querySelector('strong')?.text).toBe('bold');
      expect(body?.querySelector('pre code')?.text).toBe('let x = 1;\n');
      expect(body?.querySelector('a')?.getAttribute('href')).toBe(
        '/out?url=https%3A%2F%2Fexample.org%2Fdocs',
      );
    });

    it('a question whose title and body hold </script>, <!-- and U+2028 keeps them as text, in the page and in its JSON-LD', async () => {
      const { a } = await member({ aged: true, acked: true });
      const title = 'Why </script><script>alert(1)</script> and <!-- <script>\u2028here?';
      const body =
        'Does `</script><script>alert(2)</script>` end the markup?\u2028Or `<!-- <script>` on a line of its own?';
      const res = await newTopic(a, { title, body, kind: 'question' });
      expect(res.status).toBe(303);
      // A title's line separator is whitespace like any other: one space.
      const stored = title.replace('\u2028', ' ');
      const topic = await topicByTitle(stored);
      expect(topic?.kind).toBe('question');
      const html = await (await agent(forum.request).get(location(res))).text();

      // The JSON-LD element holds no `<` at all, so nothing in it can end it or open a comment.
      const opening = '<script type="application/ld+json">';
      const start = html.indexOf(opening);
      expect(start).toBeGreaterThan(-1);
      const json = html.slice(start + opening.length, html.indexOf('</script>', start));
      expect(json).not.toContain('<');
      const entity = JSON.parse(json).mainEntity;
      expect(entity.name).toBe(stored);
      expect(entity.text).toContain('</script><script>alert(2)</script>');
      expect(entity.text).toContain('<!-- <script>');
      // The rest of the page has no script from the text and no comment opened by it.
      expect(html.match(/<script\b/g)).toHaveLength(1);
      expect(html).not.toContain('<!--');
      const doc = parseHtml(html);
      expect(doc.querySelector('h1')?.text).toBe(stored);
      expect(doc.querySelector('title')?.text).toBe(`${stored} · Plimus Community Forums`);
      const post = doc.querySelector(`#p${topic?.firstPostId} .post-body`);
      expect(post?.querySelectorAll('code').map((c) => c.text)).toEqual([
        '</script><script>alert(2)</script>',
        '<!-- <script>',
      ]);
      expect(post?.text).toContain('\u2028');
    });

    const bad: [string, Record<string, string>, string][] = [
      ['a 4-character title', { title: 'Shrt' }, 'title'],
      ['a 151-character title', { title: 'x'.repeat(151) }, 'title'],
      ['an empty body', { body: '   ' }, 'body'],
      ['a body of 50,001 characters', { body: 'y'.repeat(50_001) }, 'body'],
      ['an unknown kind', { kind: 'poll' }, 'kind'],
    ];
    it.each(bad)('refuses %s: 422, text kept, nothing written', async (_, change, field) => {
      const { a } = await member({ aged: true, acked: true });
      const before = await postCount();
      const fields = { title: 'A perfectly fine title', body: 'A perfectly fine body.', ...change };
      const res = await newTopic(a, fields);
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector(`#${field}-error, fieldset .error-message`)).not.toBeNull();
      expect(doc.querySelector('#body')?.text.trim()).toBe(fields.body.trim());
      expect(await postCount()).toBe(before);
    });

    it('refuses visitors and unknown forums', async () => {
      const visitor = agent(forum.request);
      // Visitors are asked to sign in first, and come back to the composer (see drafts-suite).
      const res = await visitor.get('/f/off-topic/new');
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/login?next=%2Ff%2Foff-topic%2Fnew');
      const before = await postCount();
      expect((await newTopic(visitor, { title: 'Visitor topic', body: 'Hi' })).status).toBe(401);
      const { a } = await member({ aged: true, acked: true });
      expect(
        (await newTopic(a, { title: 'Lost topic here', body: 'Hi' }, 'no-such-forum')).status,
      ).toBe(404);
      expect(await postCount()).toBe(before);
    });
  });

  describe('the personal-data check', () => {
    it('brings the form back with what it found highlighted, and posts only when asked to', async () => {
      const { a } = await member({ aged: true, acked: true });
      const before = await postCount();
      const body =
        'Mail me at jane.doe@example.com or call +44 20 7946 0958. Key: ABCD1-EFGH2-IJKL3-MNOP4';
      const res = await newTopic(a, { title: 'Please contact me', body });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelectorAll('.findings li mark').map((m) => m.text)).toEqual([
        'jane.doe@example.com',
        '+44 20 7946 0958',
        'ABCD1-EFGH2-IJKL3-MNOP4',
      ]);
      expect(doc.querySelectorAll('.findings-text mark')).toHaveLength(3);
      expect(doc.querySelector('button[name=post_anyway][value="1"]')?.text.trim()).toBe(
        'Post anyway',
      );
      expect(doc.querySelector('#body')?.text.trim()).toBe(body);
      expect(await postCount()).toBe(before);

      const anyway = await newTopic(a, { title: 'Please contact me', body, post_anyway: '1' });
      expect(anyway.status).toBe(303);
      expect(await postCount()).toBe(before + 1);
    });

    it('highlights exactly what it found in text of several lines sent with CRLF, as browsers send it', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      const lines = [
        'Hello all,',
        '',
        'I asked support about the licence.',
        'Write to dana.rivera@example.org for a copy,',
        'or call +44 20 7946 0958 after five.',
      ];
      const crlf = lines.join('\r\n');
      const res = await newTopic(a, { title: 'Licence copy wanted', body: crlf });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelectorAll('.findings-text mark').map((m) => m.text)).toEqual([
        'dana.rivera@example.org',
        '+44 20 7946 0958',
      ]);
      // The highlighted copy is the text itself, with its breaks as `\n`, nothing shifted.
      expect(doc.querySelector('.findings-text')?.text).toBe(`\n${lines.join('\n')}`);
      expect(doc.querySelector('#body')?.text).toBe(`\n${lines.join('\n')}`);

      const anyway = await newTopic(a, {
        title: 'Licence copy wanted',
        body: crlf,
        post_anyway: '1',
      });
      expect(anyway.status).toBe(303);
      const saved = await db().select().from(posts).where(eq(posts.userId, user.id)).get();
      expect(saved?.bodyMarkdown).toBe(lines.join('\n'));
    });

    it('checks edits too', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      await newTopic(a, { title: 'Edit check topic', body: 'Clean text.' });
      const topic = await topicByTitle('Edit check topic');
      const res = await a.post(`/posts/${topic?.firstPostId}`, {
        body: 'Card 4111 1111 1111 1111',
      });
      expect(res.status).toBe(422);
      expect((await page(res)).querySelector('.findings mark')?.text).toBe('4111 1111 1111 1111');
      const post = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, topic?.firstPostId ?? 0))
        .get();
      expect(post?.bodyMarkdown).toBe('Clean text.');
      expect(post?.userId).toBe(user.id);
    });
  });

  describe('a topic of several pages', () => {
    /** A topic of 21 posts (two pages of 20), written through the service. */
    async function twoPageTopic(authorId: number) {
      const offTopic = await db().select().from(forums).where(eq(forums.slug, 'off-topic')).get();
      const t = await createTopic(forum.deps, {
        forumId: offTopic?.id as number,
        authorId,
        title: `Two pages ${++seq}`,
        body: 'The first post.',
        kind: 'discussion',
      });
      let last = 0;
      for (let n = 2; n <= 21; n++) {
        last = (await createReply(forum.deps, { topicId: t.topicId, authorId, body: `Post ${n}` }))
          .postId;
      }
      return { path: `/t/${t.topicId}/${t.slug}`, last };
    }

    it('numbers its pages, jumps to the last post, and has the reply form on the last page only', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      const t = await twoPageTopic(user.id);

      const first = await page(await a.get(t.path));
      const links = first.querySelectorAll('.pagination-pages a');
      expect(links.map((l) => l.text)).toEqual(['1', '2', '1', '2']);
      expect(links.map((l) => l.getAttribute('href'))).toEqual([
        t.path,
        `${t.path}?page=2`,
        t.path,
        `${t.path}?page=2`,
      ]);
      expect(
        first.querySelectorAll('.pagination-pages a[aria-current=page]').map((l) => l.text),
      ).toEqual(['1', '1']);
      expect(first.querySelector('.jump-last a')?.getAttribute('href')).toBe(
        `${t.path}?page=2#last-post`,
      );
      // No reply form on page 1: a link to the one on the last page instead.
      expect(first.querySelector('form[action$="/replies"]')).toBeNull();
      const onLast = first.querySelector('#reply a');
      expect(onLast?.text).toBe('Reply on the last page');
      expect(onLast?.getAttribute('href')).toBe(`${t.path}?page=2#reply`);

      const second = await page(await a.get(`${t.path}?page=2`));
      expect(second.querySelector('#reply form[action$="/replies"]')).not.toBeNull();
      expect(second.text).not.toContain('Reply on the last page');
      expect(
        second.querySelectorAll('.pagination-pages a[aria-current=page]').map((l) => l.text),
      ).toEqual(['2', '2']);
      // The anchor of "Jump to the last post" sits right before the last post.
      const mark = second.querySelector('#last-post');
      expect(mark).not.toBeNull();
      expect(second.querySelectorAll('article.post').at(-1)?.getAttribute('id')).toBe(`p${t.last}`);
      expect(mark?.nextElementSibling?.getAttribute('id')).toBe(`p${t.last}`);

      // A visitor on page 1 is sent to the last page too, where they are asked to sign in.
      const visitor = agent(forum.request, { client: `visitor_${++seq}` });
      const seen = await page(await visitor.get(t.path));
      expect(seen.querySelector('#reply a')?.text).toBe('Reply on the last page');
    });
  });

  describe('posting limits', () => {
    it('a new account waits 30 seconds between posts; the refusal keeps the text and says how long', async () => {
      const { a } = await member({ acked: true });
      expect((await newTopic(a, { title: 'Newcomer topic one', body: 'One.' })).status).toBe(303);
      forum.clock.advance(10_000);
      const before = await postCount();
      const res = await newTopic(a, { title: 'Newcomer topic two', body: 'Two.' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('20');
      const doc = await page(res);
      expect(doc.querySelector('.error-summary')?.text).toMatch(/wait 20 seconds/);
      expect(doc.querySelector('#title')?.getAttribute('value')).toBe('Newcomer topic two');
      expect(await postCount()).toBe(before);
      forum.clock.advance(20_000);
      expect((await newTopic(a, { title: 'Newcomer topic two', body: 'Two.' })).status).toBe(303);
    });

    it('everyone waits 5 seconds between posts', async () => {
      const { a } = await member({ aged: true, acked: true });
      expect((await newTopic(a, { title: 'Regular topic one', body: 'One.' })).status).toBe(303);
      forum.clock.advance(4_000);
      expect((await newTopic(a, { title: 'Regular topic two', body: 'Two.' })).status).toBe(429);
      forum.clock.advance(1_000);
      expect((await newTopic(a, { title: 'Regular topic two', body: 'Two.' })).status).toBe(303);
    });

    it('a new account may include at most 2 links in a post', async () => {
      const { a } = await member({ acked: true });
      const three = 'See https://a.example, https://b.example and https://c.example';
      const res = await newTopic(a, { title: 'Three links here', body: three });
      expect(res.status).toBe(422);
      expect((await page(res)).querySelector('#body-error')?.text).toMatch(/at most 2 links/);
      expect(
        (
          await newTopic(a, {
            title: 'Two links here',
            body: 'See https://a.example and https://b.example',
          })
        ).status,
      ).toBe(303);
      const { a: older } = await member({ aged: true, acked: true });
      expect((await newTopic(older, { title: 'Three links, older', body: three })).status).toBe(
        303,
      );
    });

    it('Preview shows the cooked post, saves nothing and does not count against the limits', async () => {
      const { a, user } = await member({ acked: true });
      const before = await postCount();
      for (let i = 0; i < 3; i++) {
        const res = await newTopic(a, {
          title: 'Previewed topic',
          body: '**Bold** move, see https://x.example',
          preview: '1',
        });
        expect(res.status).toBe(200);
        const doc = await page(res);
        expect(doc.querySelector('.preview .post-body strong')?.text).toBe('Bold');
        expect(doc.querySelector('.preview .post-body a')?.getAttribute('href')).toBe(
          '/out?url=https%3A%2F%2Fx.example%2F',
        );
        expect(doc.querySelector('#title')?.getAttribute('value')).toBe('Previewed topic');
      }
      expect(await postCount()).toBe(before);
      expect((await userRow(user.id))?.lastPostedAt).toBeNull();
      expect((await newTopic(a, { title: 'Previewed topic', body: 'Now for real.' })).status).toBe(
        303,
      );
    });
  });

  describe('the cooking budget', () => {
    /** Markdown that costs far more to cook than its length: emphasis that never closes. */
    const costly = `${repeat('*a ', MAX_BODY - 3)} a*`;
    const tooDeep = `${'> '.repeat(20)}deep`;

    it('refuses a topic, a reply, an edit or a preview over the budget: 422, text kept, nothing written', async () => {
      const { a } = await member({ aged: true, acked: true });
      await newTopic(a, { title: 'Budget check topic', body: 'Plain words.' });
      const topic = await topicByTitle('Budget check topic');
      const before = await postCount();
      for (const [body, message] of [
        [costly, /too many \*, _ or ~ that do not close/],
        [tooDeep, /nested at most 12 levels deep/],
      ] as const) {
        forum.clock.advance(6_000);
        for (const res of [
          await newTopic(a, { title: 'A costly topic', body }),
          await a.post(`/t/${topic?.id}/replies`, { body }),
          await a.post(`/posts/${topic?.firstPostId}`, { body }),
          await newTopic(a, { title: 'A costly preview', body, preview: '1' }),
        ]) {
          expect(res.status).toBe(422);
          const doc = await page(res);
          expect(doc.querySelector('#body-error')?.text).toMatch(message);
          expect(doc.querySelector('#body-error')?.text).toMatch(/Please /);
          expect(doc.querySelector('#body')?.text.trim()).toBe(body);
        }
      }
      expect(await postCount()).toBe(before);
      const post = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, topic?.firstPostId ?? 0))
        .get();
      expect(post).toMatchObject({ bodyMarkdown: 'Plain words.', revisionCount: 0 });
    });

    it('asks to wait before it looks at the text: too soon is 429 whatever the text holds', async () => {
      const { a } = await member({ acked: true });
      expect((await newTopic(a, { title: 'First of two posts', body: 'One.' })).status).toBe(303);
      forum.clock.advance(1_000);
      for (const body of [
        tooDeep,
        costly,
        'Mail me at jane.doe@example.com',
        'a https://a.example b https://b.example c https://c.example',
      ]) {
        const res = await newTopic(a, { title: 'Second of two posts', body });
        expect(res.status).toBe(429);
        expect((await page(res)).querySelector('#body')?.text.trim()).toBe(body);
      }
    });

    it('lets previews and edits spend an allowance of cooking work per account and minute: 429 past it, text kept', async () => {
      const { a } = await member({ aged: true, acked: true });
      await newTopic(a, { title: 'Edited after previews', body: 'Version 0.' });
      const topic = await topicByTitle('Edited after previews');
      // The costliest post that still cooks: previewed until the allowance is spent.
      const costliest = WORST_INPUTS.find(
        (w) => w.expect === 'cooked' && /just under/.test(w.name),
      );
      const body = costliest?.make(MAX_BODY) ?? '';
      const units = cookingWork(body, forum.deps.cook).units;
      const allowance = forum.deps.limits.cookingPerAccount.rule.limit;
      let previews = 0;
      for (;;) {
        const res = await newTopic(a, { title: 'Previewed often', body, preview: '1' });
        if (res.status !== 200) {
          expect(res.status).toBe(429);
          break;
        }
        previews++;
      }
      expect(previews).toBe(Math.ceil(allowance / units));
      const refused = await a.post(`/posts/${topic?.firstPostId}`, { body: 'Version 1.' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const doc = await page(refused);
      expect(doc.querySelector('.error-summary')?.text).toMatch(/previewed and edited a lot/);
      expect(doc.querySelector('#body')?.text.trim()).toBe('Version 1.');
      expect(
        (
          await db()
            .select()
            .from(posts)
            .where(eq(posts.id, topic?.firstPostId ?? 0))
            .get()
        )?.bodyMarkdown,
      ).toBe('Version 0.');
      forum.clock.advance(60_000);
      expect((await a.post(`/posts/${topic?.firstPostId}`, { body: 'Version 1.' })).status).toBe(
        303,
      );
      // Ordinary previews hardly spend it; another account has an allowance of its own.
      const { a: other } = await member({ aged: true, acked: true });
      for (let i = 0; i < 40; i++) {
        const res = await newTopic(other, {
          title: 'Previewed a lot',
          body: `Try **${i}**.`,
          preview: '1',
        });
        expect(res.status).toBe(200);
      }
    });
  });

  describe('replies', () => {
    it('go to the end of the topic, update every counter and the search index, and land on the new post', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      const topic = await topicByTitle('What are you working on this week?');
      const forumBefore = await db()
        .select()
        .from(forums)
        .where(eq(forums.id, topic?.forumId ?? 0))
        .get();
      const res = await a.post(`/t/${topic?.id}/replies`, {
        body: 'Refactoring a flaky test suite.',
      });
      expect(res.status).toBe(303);
      const after = await topicByTitle('What are you working on this week?');
      expect(after?.postCount).toBe((topic?.postCount ?? 0) + 1);
      expect(after?.highestNumber).toBe((topic?.highestNumber ?? 0) + 1);
      expect(after?.lastPosterId).toBe(user.id);
      const reply = await db()
        .select()
        .from(posts)
        .where(eq(posts.id, after?.lastPostId ?? 0))
        .get();
      expect(reply).toMatchObject({ number: after?.highestNumber, userId: user.id });
      expect(location(res)).toBe(`/t/${topic?.id}/${topic?.slug}#p${reply?.id}`);
      const forumAfter = await db()
        .select()
        .from(forums)
        .where(eq(forums.id, topic?.forumId ?? 0))
        .get();
      expect(forumAfter?.postCount).toBe((forumBefore?.postCount ?? 0) + 1);
      expect(forumAfter?.lastPostId).toBe(reply?.id);
      expect((await searchFor('flaky')).map((r) => r.rowid)).toEqual([reply?.id]);
    });

    it('numbers concurrent replies without gaps or repeats', async () => {
      const people = await Promise.all(
        [1, 2, 3, 4, 5].map(() => member({ aged: true, acked: true })),
      );
      const topic = await topicByTitle('Restoring a single folder from last month');
      const results = await Promise.all(
        people.map(({ a }, i) =>
          a.post(`/t/${topic?.id}/replies`, { body: `Concurrent reply ${i}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
      const numbers = (
        await db()
          .select({ n: posts.number })
          .from(posts)
          .where(eq(posts.topicId, topic?.id ?? 0))
      )
        .map((r) => r.n)
        .sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      const after = await topicByTitle('Restoring a single folder from last month');
      expect(after?.highestNumber).toBe(numbers.length);
      expect(after?.postCount).toBe(numbers.length);
    });

    it('quote a post: the reply form opens with its markdown quoted', async () => {
      const { a } = await member({ aged: true, acked: true });
      const topic = await topicByTitle('Where do I find my download link again?');
      const res = await a.get(`/t/${topic?.id}/replies/new?quote=${topic?.firstPostId}`);
      expect(res.status).toBe(200);
      const text = (await page(res)).querySelector('#body')?.text ?? '';
      expect(text).toContain(`oskar wrote in [#1](/p/${topic?.firstPostId}):`);
      expect(text).toContain('> I bought a program last year');
      expect((await a.get(`/t/${topic?.id}/replies/new?quote=999999`)).status).toBe(404);
    });

    it('are refused in locked topics (but moderators may still reply)', async () => {
      const { a } = await member({ aged: true, acked: true });
      const topic = await topicByTitle('Template gallery: share your invoice templates');
      await db()
        .update(topics)
        .set({ locked: true })
        .where(eq(topics.id, topic?.id ?? 0));
      const before = await postCount();
      const res = await a.post(`/t/${topic?.id}/replies`, { body: 'Let me in' });
      expect(res.status).toBe(403);
      expect((await page(res)).querySelector('main')?.text).toContain('locked');
      expect(await postCount()).toBe(before);
      const doc = await page(await a.get(`/t/${topic?.id}/${topic?.slug}`));
      expect(doc.querySelector('form.composer')).toBeNull();
      expect(doc.querySelector('.reply .notice')?.text).toContain('locked');
      const { a: mod } = await member({ aged: true, acked: true, role: 'moderator' });
      expect(
        (await mod.post(`/t/${topic?.id}/replies`, { body: 'Locking this, thanks all.' })).status,
      ).toBe(303);
    });
  });

  describe('editing and deleting', () => {
    it('the author edits: the text changes, the old one is kept as a revision, the post says edited', async () => {
      const { a } = await member({ aged: true, acked: true });
      await newTopic(a, { title: 'Edited topic here', body: 'First version with a tpyo.' });
      const topic = await topicByTitle('Edited topic here');
      const postId = topic?.firstPostId ?? 0;
      forum.clock.advance(60_000);
      const res = await a.post(`/posts/${postId}`, { body: 'Second version, typo fixed.' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/t/${topic?.id}/edited-topic-here#p${postId}`);
      const post = await db().select().from(posts).where(eq(posts.id, postId)).get();
      expect(post).toMatchObject({ bodyMarkdown: 'Second version, typo fixed.', revisionCount: 1 });
      expect(post?.editedAt?.getTime()).toBe(forum.deps.now());
      const revisions = await db()
        .select()
        .from(postRevisions)
        .where(eq(postRevisions.postId, postId));
      expect(revisions.map((r) => r.bodyMarkdown)).toEqual(['First version with a tpyo.']);
      expect((await searchFor('typo')).map((r) => r.rowid)).toEqual([postId]);
      expect(await searchFor('tpyo')).toEqual([]);
      const doc = await page(await a.get(location(res)));
      expect(doc.querySelector(`#p${postId} .edited`)?.text).toMatch(/^edited /);
      const history = await page(await a.get(`/posts/${postId}/history`));
      expect(history.querySelectorAll('.revision .post-body').map((b) => b.text.trim())).toEqual([
        'Second version, typo fixed.',
        'First version with a tpyo.',
      ]);
    });

    it('nobody else edits, deletes or reads the history (403, nothing changes)', async () => {
      const { a: author } = await member({ aged: true, acked: true });
      await newTopic(author, { title: 'Not yours to edit', body: 'Original words.' });
      const topic = await topicByTitle('Not yours to edit');
      const postId = topic?.firstPostId ?? 0;
      await author.post(`/posts/${postId}`, { body: 'Edited words.' });
      const { a: other } = await member({ aged: true, acked: true });
      const visitor = agent(forum.request);
      for (const who of [other, visitor]) {
        expect((await who.get(`/posts/${postId}/edit`)).status).toBe(403);
        expect((await who.post(`/posts/${postId}`, { body: 'Hijacked!' })).status).toBe(403);
        expect((await who.get(`/posts/${postId}/history`)).status).toBe(403);
        expect((await who.post(`/posts/${postId}/delete`)).status).toBe(403);
      }
      const post = await db().select().from(posts).where(eq(posts.id, postId)).get();
      expect(post).toMatchObject({
        bodyMarkdown: 'Edited words.',
        deletedAt: null,
        revisionCount: 1,
      });
      const doc = await page(await other.get(`/t/${topic?.id}/${topic?.slug}`));
      expect(doc.querySelector(`#p${postId} a[href$="/edit"]`)).toBeNull();
      expect(doc.querySelector(`#p${postId} a[href$="/history"]`)).toBeNull();
    });

    describe('in an archived forum', () => {
      /** A forum with the author's topic and reply, archived afterwards by an administrator. */
      async function archivedWithPosts() {
        const { a } = await member({ aged: true, acked: true });
        const slug = `archive-${++seq}`;
        const f = await createForum(forum.deps, {
          slug,
          name: `Archive ${seq}`,
          description: 'Old things.',
          category: 'community',
        });
        expect(
          (await newTopic(a, { title: 'Written before the archive', body: 'First words.' }, slug))
            .status,
        ).toBe(303);
        const topic = await db().select().from(topics).where(eq(topics.forumId, f.id)).get();
        forum.clock.advance(6_000);
        await a.post(`/t/${topic?.id}/replies`, { body: 'Reply words.' });
        const path = `/t/${topic?.id}/${topic?.slug}`;
        const ids = (
          await db()
            .select()
            .from(posts)
            .where(eq(posts.topicId, topic?.id ?? 0))
        ).map((p) => p.id);
        expect(ids).toHaveLength(2);
        // Before the archive the author may change both.
        const open = await page(await a.get(path));
        for (const id of ids) {
          expect(open.querySelector(`#p${id} a[href="/posts/${id}/edit"]`)).not.toBeNull();
          expect(open.querySelector(`#p${id} a[href="/posts/${id}/delete"]`)).not.toBeNull();
        }
        expect(await setForumArchived(forum.deps, COMMAND_LINE, f.id, true)).toBe(true);
        const rows = async () =>
          db()
            .select()
            .from(posts)
            .where(eq(posts.topicId, topic?.id ?? 0));
        return { a, path, ids, rows, before: await rows() };
      }

      it('the author cannot edit: no Edit link, 403 with the reason, nothing written', async () => {
        const { a, path, ids, rows, before } = await archivedWithPosts();
        const doc = await page(await a.get(path));
        for (const id of ids) {
          expect(doc.querySelector(`#p${id} a[href="/posts/${id}/edit"]`)).toBeNull();
          expect((await a.get(`/posts/${id}/edit`)).status).toBe(403);
          const res = await a.post(`/posts/${id}`, { body: 'Changed after the archive.' });
          expect(res.status).toBe(403);
          expect((await page(res)).querySelector('main')?.text).toContain(
            'This forum is archived: its posts cannot change.',
          );
        }
        expect(await rows()).toEqual(before);
        expect(
          await db()
            .select()
            .from(postRevisions)
            .where(eq(postRevisions.postId, ids[0] ?? 0)),
        ).toEqual([]);
      });

      it('the author cannot delete: no Delete link, 403 with the reason, nothing written', async () => {
        const { a, path, ids, rows, before } = await archivedWithPosts();
        const doc = await page(await a.get(path));
        for (const id of ids) {
          expect(doc.querySelector(`#p${id} a[href="/posts/${id}/delete"]`)).toBeNull();
          expect((await a.get(`/posts/${id}/delete`)).status).toBe(403);
          const res = await a.post(`/posts/${id}/delete`);
          expect(res.status).toBe(403);
          expect((await page(res)).querySelector('main')?.text).toContain(
            'This forum is archived: its posts cannot change.',
          );
        }
        expect(await rows()).toEqual(before);
      });
    });

    it('the author deletes: the post stays in the thread as deleted, its text leaves the page and the index', async () => {
      const { a, user } = await member({ aged: true, acked: true });
      const topic = await topicByTitle('What are you working on this week?');
      await a.post(`/t/${topic?.id}/replies`, { body: 'Accidental xylophone reply.' });
      const reply = await db().select().from(posts).where(eq(posts.userId, user.id)).get();
      expect((await a.get(`/posts/${reply?.id}/delete`)).status).toBe(200);
      const res = await a.post(`/posts/${reply?.id}/delete`);
      expect(res.status).toBe(303);
      const doc = await page(await a.get(location(res)));
      expect(doc.querySelector(`#p${reply?.id} .post-placeholder`)?.text).toBe(
        'This post was deleted by its author.',
      );
      expect(doc.text).not.toContain('xylophone');
      expect(await searchFor('xylophone')).toHaveLength(0);
      expect((await userRow(user.id))?.postCount).toBe(0);
      expect((await a.get(`/posts/${reply?.id}/edit`)).status).toBe(403);
    });
  });
}
