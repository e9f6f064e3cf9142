/**
 * Vendors and customers, the same on Node (libSQL) and in workerd (D1): the vendor and
 * verified-buyer badges, accepted answers of questions (with the QAPage markup), the
 * answered/unanswered lists and the vendor dashboard.
 *
 * Vendor staff and buyers are made by writing identity links and purchases directly: the Plimus
 * sign-in that writes them is tested in the identity suite.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  identityLinks,
  identityPurchases,
  moderationLog,
  notifications,
  posts,
  topics,
  users,
  vendors,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import type { AppDeps } from '../../src/context';
import { COMMAND_LINE } from '../../src/policy/admin';
import { setForumArchived } from '../../src/services/admin';
import { createForum, ensureProduct, ensureVendor } from '../../src/services/catalog';
import { runNotificationJobs } from '../../src/services/notifications';
import { createReply, createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { insertAccount, PASSWORD, signIn } from './people';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
let seq = 0;

type Person = { a: Agent; user: typeof users.$inferSelect };

export function vendorsSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  const db = () => forum.deps.db;
  const visitor = () => agent(forum.request, { client: `visitor_${++seq}` });

  /**
   * A signed-in person who has posted before (so no public acknowledgement is asked) and is past
   * the first day. `vendor` makes them staff of that vendor (its Plimus id); `purchases` are
   * Plimus product ids their identity lists.
   */
  async function person(
    opts: {
      role?: 'member' | 'moderator';
      vendor?: string;
      purchases?: string[];
      showBuyerBadge?: boolean;
      suspended?: boolean;
    } = {},
  ): Promise<Person> {
    const username = `vendors_${++seq}`;
    const now = forum.deps.now();
    const user = await insertAccount(db(), {
      username,
      passwordHash,
      now,
      values: { role: opts.role ?? 'member', showBuyerBadge: opts.showBuyerBadge ?? false },
    });
    if (opts.vendor || opts.purchases) {
      const vendor = opts.vendor
        ? await db().select().from(vendors).where(eq(vendors.plimusVendorId, opts.vendor)).get()
        : undefined;
      const [link] = await db()
        .insert(identityLinks)
        .values({
          userId: user.id,
          issuer: 'https://login.plimus.example/',
          subject: `sub-${username}`,
          linkedAt: new Date(now),
          claimsRefreshedAt: new Date(now),
          vendorId: vendor?.id ?? null,
        })
        .returning();
      for (const plimusProductId of opts.purchases ?? []) {
        await db()
          .insert(identityPurchases)
          .values({ linkId: link?.id ?? 0, plimusProductId });
      }
    }
    const a = await signIn(forum.request, username);
    if (opts.suspended) {
      await db()
        .update(users)
        .set({ suspendedUntil: new Date(now + 7 * DAY), suspendedReason: 'Spam' })
        .where(eq(users.id, user.id));
    }
    return { a, user };
  }

  const page = async (res: Response | Promise<Response>) => parseHtml(await (await res).text());
  const topicRow = (id: number) => db().select().from(topics).where(eq(topics.id, id)).get();
  const postRow = (id: number) => db().select().from(posts).where(eq(posts.id, id)).get();

  /** A new topic through the real form; returns its row and first post. */
  async function ask(
    who: Person,
    forumSlug: string,
    fields: Record<string, string> = {},
    kind: 'question' | 'discussion' = 'question',
  ) {
    forum.clock.advance(10_000);
    const title = `Question ${++seq} about the product`;
    const res = await who.a.post(`/f/${forumSlug}`, {
      title,
      kind,
      body: `How does feature ${seq} work?\n\nI tried **everything** & more.`,
      ...fields,
    });
    expect(res.status, await res.clone().text()).toBe(303);
    const id = Number(location(res).split('/')[2]);
    const topic = await topicRow(id);
    if (!topic?.firstPostId) throw new Error('no topic');
    return { ...topic, path: location(res), firstPostId: topic.firstPostId };
  }

  /** A reply through the real form; returns the new post's id. */
  async function reply(who: Person, topicId: number, fields: Record<string, string> = {}) {
    forum.clock.advance(10_000);
    const res = await who.a.post(`/t/${topicId}/replies`, {
      body: `Reply ${++seq}: try the settings page.`,
      ...fields,
    });
    expect(res.status, await res.clone().text()).toBe(303);
    return Number(location(res).split('#p')[1]);
  }

  const articleOf = async (path: string, postId: number, who?: Person) => {
    const doc = await page((who?.a ?? visitor()).get(path));
    const article = doc.querySelector(`#p${postId}`);
    expect(article, `post ${postId} on ${path}`).not.toBeNull();
    return article as NonNullable<typeof article>;
  };
  const badgesOn = async (path: string, postId: number) => {
    const article = await articleOf(path, postId);
    return article.querySelectorAll('.badge').map((b) => b.text.trim());
  };

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
  });

  describe('badges', () => {
    it('"Vendor · <name>" marks staff of the product’s vendor in that vendor’s forum only', async () => {
      const staff = await person({ vendor: 'vendor-acme' });
      const asker = await person();
      const own = await ask(asker, 'acme-backup-pro');
      const other = await ask(asker, 'northwind-invoice');
      const general = await ask(asker, 'off-topic');
      const inOwn = await reply(staff, own.id);
      const inOther = await reply(staff, other.id);
      const inGeneral = await reply(staff, general.id);
      const byAsker = await reply(asker, own.id);

      expect(await badgesOn(own.path, inOwn)).toEqual(['Vendor · Acme Software']);
      expect(await badgesOn(other.path, inOther)).toEqual([]);
      expect(await badgesOn(general.path, inGeneral)).toEqual([]);
      expect(await badgesOn(own.path, byAsker)).toEqual([]);
      // A topic the staff member starts in their own forum carries it too.
      const started = await ask(staff, 'acme-backup-pro', {}, 'discussion');
      expect(await badgesOn(started.path, started.firstPostId)).toEqual(['Vendor · Acme Software']);
    });

    it('offers buyers the show_buyer_badge box in product forums, explains it, and shows the badge only when ticked', async () => {
      const buyer = await person({ purchases: ['product-acme-backup'] });
      for (const path of ['/f/acme-backup-pro/new']) {
        const doc = await page(buyer.a.get(path));
        const box = doc.querySelector('form.composer input[name=show_buyer_badge][type=checkbox]');
        expect(box, path).not.toBeNull();
        expect(box?.hasAttribute('checked')).toBe(false);
        const label = doc.querySelector(`label[for=${box?.getAttribute('id')}]`);
        expect(label?.text).toContain('Verified buyer');
        const hint = doc.querySelector(`#${box?.getAttribute('aria-describedby')}`);
        expect(hint?.text).toMatch(/personal\s+information/);
        expect(hint?.text).toMatch(/only if you choose/);
      }
      const shown = await ask(buyer, 'acme-backup-pro', { show_buyer_badge: '1' });
      const notShown = await ask(buyer, 'acme-backup-pro');
      expect((await postRow(shown.firstPostId))?.showBuyerBadge).toBe(true);
      expect((await postRow(notShown.firstPostId))?.showBuyerBadge).toBe(false);
      expect(await badgesOn(shown.path, shown.firstPostId)).toEqual(['Verified buyer']);
      expect(await badgesOn(notShown.path, notShown.firstPostId)).toEqual([]);

      // Replies: the box is on the topic page's reply form and on the reply page.
      for (const path of [notShown.path, `/t/${notShown.id}/replies/new`]) {
        const doc = await page(buyer.a.get(path));
        expect(doc.querySelector('input[name=show_buyer_badge]'), path).not.toBeNull();
      }
      const ticked = await reply(buyer, notShown.id, { show_buyer_badge: '1' });
      const unticked = await reply(buyer, notShown.id);
      expect(await badgesOn(notShown.path, ticked)).toEqual(['Verified buyer']);
      expect(await badgesOn(notShown.path, unticked)).toEqual([]);
    });

    it('keeps the box ticked or not when a form comes back with a problem', async () => {
      const buyer = await person({ purchases: ['product-acme-backup'] });
      const res = await buyer.a.post('/f/acme-backup-pro', {
        title: 'x',
        body: 'Short title',
        show_buyer_badge: '1',
      });
      expect(res.status).toBe(422);
      const doc = await page(res);
      expect(doc.querySelector('input[name=show_buyer_badge]')?.hasAttribute('checked')).toBe(true);
    });

    it('the account setting shows the badge on every post in forums of bought products, and ticks the box', async () => {
      const buyer = await person({ purchases: ['product-acme-backup'] });
      const before = await ask(buyer, 'acme-backup-pro');
      const elsewhere = await ask(buyer, 'northwind-invoice', { show_buyer_badge: '1' });
      const general = await ask(buyer, 'off-topic', { show_buyer_badge: '1' });
      expect(await badgesOn(before.path, before.firstPostId)).toEqual([]);

      const account = await page(buyer.a.get('/account'));
      expect(
        account.querySelector('form[action="/account/buyer-badge"] input[name=show_buyer_badge]'),
      ).not.toBeNull();
      const on = await buyer.a.post('/account/buyer-badge', { show_buyer_badge: '1' });
      expect(location(on)).toBe('/account?done=buyer-badge-on');
      expect(await badgesOn(before.path, before.firstPostId)).toEqual(['Verified buyer']);
      // Not a buyer of that product, and a general forum has no product.
      expect(await badgesOn(elsewhere.path, elsewhere.firstPostId)).toEqual([]);
      expect(await badgesOn(general.path, general.firstPostId)).toEqual([]);
      expect((await postRow(elsewhere.firstPostId))?.showBuyerBadge).toBe(false);

      const doc = await page(buyer.a.get('/f/acme-backup-pro/new'));
      const box = doc.querySelector('input[name=show_buyer_badge]');
      expect(box?.hasAttribute('checked')).toBe(true);
      expect(doc.querySelector('#show_buyer_badge-hint a[href="/account"]')).not.toBeNull();

      expect(location(await buyer.a.post('/account/buyer-badge', {}))).toBe(
        '/account?done=buyer-badge-off',
      );
      expect(await badgesOn(before.path, before.firstPostId)).toEqual([]);
      expect(
        (await db().select().from(users).where(eq(users.id, buyer.user.id)).get())?.showBuyerBadge,
      ).toBe(false);
    });

    it('is never self-declared: no box for people who did not buy the product, or in general forums, and a box sent anyway changes nothing', async () => {
      const buyer = await person({ purchases: ['product-acme-backup'] });
      const nonBuyer = await person({ purchases: ['product-northwind-invoice'] });
      const unlinked = await person({ showBuyerBadge: true });
      for (const [who, path] of [
        [nonBuyer, '/f/acme-backup-pro/new'],
        [unlinked, '/f/acme-backup-pro/new'],
        [buyer, '/f/off-topic/new'],
        [buyer, '/f/northwind-invoice/new'],
      ] as const) {
        const doc = await page(who.a.get(path));
        expect(doc.querySelector('form.composer'), path).not.toBeNull();
        expect(doc.querySelector('input[name=show_buyer_badge]'), path).toBeNull();
      }
      const forged = await ask(nonBuyer, 'acme-backup-pro', { show_buyer_badge: '1' });
      const forgedReply = await reply(unlinked, forged.id, { show_buyer_badge: '1' });
      expect((await postRow(forged.firstPostId))?.showBuyerBadge).toBe(false);
      expect((await postRow(forgedReply))?.showBuyerBadge).toBe(false);
      expect(await badgesOn(forged.path, forged.firstPostId)).toEqual([]);
      expect(await badgesOn(forged.path, forgedReply)).toEqual([]);
      const topicPage = await page(unlinked.a.get(forged.path));
      expect(topicPage.querySelector('form.composer')).not.toBeNull();
      expect(topicPage.querySelector('input[name=show_buyer_badge]')).toBeNull();
    });
  });

  describe('accepted answers', () => {
    /** A question in Acme's forum with two replies. */
    async function question() {
      const asker = await person();
      const helper = await person();
      const q = await ask(asker, 'acme-backup-pro');
      const first = await reply(helper, q.id);
      const second = await reply(helper, q.id);
      return { asker, helper, q, first, second };
    }
    const accepted = async (topicId: number) => {
      const t = await topicRow(topicId);
      return { postId: t?.acceptedPostId, byId: t?.acceptedById, at: t?.acceptedAt?.getTime() };
    };

    it('the asker accepts a reply, changes it and clears it', async () => {
      const { asker, q, first, second } = await question();
      const res = await asker.a.post(`/posts/${first}/accept`);
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`${q.path}#p${first}`);
      expect(await accepted(q.id)).toEqual({
        postId: first,
        byId: asker.user.id,
        at: forum.deps.now(),
      });

      forum.clock.advance(HOUR);
      expect((await asker.a.post(`/posts/${second}/accept`)).status).toBe(303);
      expect(await accepted(q.id)).toEqual({
        postId: second,
        byId: asker.user.id,
        at: forum.deps.now(),
      });

      expect((await asker.a.post(`/posts/${second}/unaccept`)).status).toBe(303);
      expect(await accepted(q.id)).toEqual({ postId: null, byId: null, at: undefined });
    });

    it('shows the accepted answer under the question, with who accepted it, and marks it in the thread', async () => {
      const { asker, helper, q, first, second } = await question();
      await asker.a.post(`/posts/${second}/accept`);
      const doc = await page(visitor().get(q.path));
      const articles = doc.querySelectorAll('.posts > article.post, .posts > section');
      // Right under the question (the first post).
      expect(articles[0]?.getAttribute('id')).toBe(`p${q.firstPostId}`);
      const block = articles[1];
      expect(block?.classList.contains('accepted-answer')).toBe(true);
      expect(block?.querySelector('h2')?.text).toBe('Accepted answer');
      expect(block?.querySelector(`a[href="/p/${second}"]`)).not.toBeNull();
      expect(block?.querySelector(`a[href="/u/${helper.user.username}"]`)).not.toBeNull();
      const meta = block?.querySelector('.accepted-answer-meta')?.text.replace(/\s+/g, ' ');
      expect(meta).toContain(`Accepted by ${asker.user.username} (who asked)`);
      expect(block?.querySelector('time')?.getAttribute('datetime')).toBe(
        new Date(forum.deps.now()).toISOString(),
      );
      // An excerpt as plain text, not the answer again in full, and a link down to it.
      expect(block?.querySelector('.post-body')).toBeNull();
      expect(block?.querySelector('.accepted-answer-excerpt')?.text).toMatch(
        /^Reply \d+: try the settings page\.$/,
      );
      const jump = block?.querySelector('.accepted-answer-jump a');
      expect(jump?.text).toBe('Jump to the answer');
      expect(jump?.getAttribute('href')).toBe(`#p${second}`);
      expect(doc.querySelector(`#p${second}`)?.classList.contains('post-accepted')).toBe(true);
      expect(doc.querySelector(`#p${second} .accepted-mark`)?.text).toContain('Accepted answer');
      expect(doc.querySelector(`#p${first}`)?.classList.contains('post-accepted')).toBe(false);
      // The topic lists say Answered.
      const list = await page(visitor().get('/f/acme-backup-pro?filter=answered'));
      const item = list
        .querySelectorAll('.topic-item')
        .find((li) => li.querySelector(`a[href^="/t/${q.id}/"]`));
      expect(item?.querySelector('.tag-answered')?.text).toBe('Answered');
      // Visitors see no buttons.
      expect(doc.querySelector('form[action$="/accept"], form[action$="/unaccept"]')).toBeNull();
    });

    it('gives Accept and Unaccept buttons on replies to those who may choose, and to nobody else', async () => {
      const { asker, helper, q, first, second } = await question();
      await asker.a.post(`/posts/${first}/accept`);
      const staff = await person({ vendor: 'vendor-acme' });
      const moderator = await person({ role: 'moderator' });
      for (const who of [asker, staff, moderator]) {
        const doc = await page(who.a.get(q.path));
        expect(
          doc.querySelector(`#p${first} form[action="/posts/${first}/unaccept"]`),
        ).not.toBeNull();
        expect(
          doc.querySelector(`#p${second} form[action="/posts/${second}/accept"]`),
        ).not.toBeNull();
        expect(doc.querySelector(`#p${q.firstPostId} form[action$="/accept"]`)).toBeNull();
        const button = doc.querySelector(
          `#p${second} form[action="/posts/${second}/accept"] button[type=submit]`,
        );
        // A real button of its own, styled as the primary action, not one more link.
        expect(button?.text.trim()).toBe('Mark as solution');
        expect(button?.classList.contains('button-primary')).toBe(true);
        expect(button?.classList.contains('link-button')).toBe(false);
        expect(button?.closest('.post-actions')).toBeNull();
      }
      const otherStaff = await person({ vendor: 'vendor-northwind' });
      for (const who of [helper, otherStaff]) {
        const doc = await page(who.a.get(q.path));
        expect(doc.querySelector('form[action$="/accept"], form[action$="/unaccept"]')).toBeNull();
      }
    });

    it('staff of the product’s vendor and moderators choose, change and clear the answer', async () => {
      const { q, first, second } = await question();
      const staff = await person({ vendor: 'vendor-acme' });
      const moderator = await person({ role: 'moderator' });
      expect((await staff.a.post(`/posts/${second}/accept`)).status).toBe(303);
      expect(await accepted(q.id)).toMatchObject({ postId: second, byId: staff.user.id });
      const shown = await page(visitor().get(q.path));
      expect(shown.querySelector('.accepted-answer-meta')?.text.replace(/\s+/g, ' ')).toContain(
        `Accepted by ${staff.user.username} on`,
      );
      expect((await moderator.a.post(`/posts/${first}/accept`)).status).toBe(303);
      expect(await accepted(q.id)).toMatchObject({ postId: first, byId: moderator.user.id });
      expect((await staff.a.post(`/posts/${first}/unaccept`)).status).toBe(303);
      expect(await accepted(q.id)).toMatchObject({ postId: null });
      expect((await moderator.a.post(`/posts/${second}/accept`)).status).toBe(303);
      expect((await moderator.a.post(`/posts/${second}/unaccept`)).status).toBe(303);
      expect(await accepted(q.id)).toMatchObject({ postId: null, byId: null });
    });

    it('refuses everyone else (403) and leaves the question as it was', async () => {
      const { asker, helper, q, first, second } = await question();
      await asker.a.post(`/posts/${first}/accept`);
      const before = await accepted(q.id);
      const otherStaff = await person({ vendor: 'vendor-northwind' });
      const suspendedAsker = await person();
      const own = await ask(suspendedAsker, 'acme-backup-pro');
      const ownReply = await reply(helper, own.id);
      await db()
        .update(users)
        .set({ suspendedUntil: new Date(forum.deps.now() + DAY), suspendedReason: 'Spam' })
        .where(eq(users.id, suspendedAsker.user.id));

      const attempts: [string, Agent, string, RegExp][] = [
        ['another member', helper.a, `/posts/${second}/accept`, /person who asked/],
        ['another member', helper.a, `/posts/${first}/unaccept`, /person who asked/],
        ['staff of another vendor', otherStaff.a, `/posts/${second}/accept`, /vendor/],
        ['staff of another vendor', otherStaff.a, `/posts/${first}/unaccept`, /vendor/],
        ['a visitor', visitor(), `/posts/${second}/accept`, /sign in/],
        ['a visitor', visitor(), `/posts/${first}/unaccept`, /sign in/],
      ];
      for (const [who, a, path, message] of attempts) {
        const res = await a.post(path);
        expect(res.status, `${who} ${path}`).toBe(403);
        expect(await res.text()).toMatch(message);
      }
      expect(await accepted(q.id)).toEqual(before);

      const res = await suspendedAsker.a.post(`/posts/${ownReply}/accept`);
      expect(res.status).toBe(403);
      expect(await accepted(own.id)).toEqual({ postId: null, byId: null, at: undefined });
      // Cross-site form posts never reach the rule.
      const crossSite = await asker.a.post(
        `/posts/${second}/accept`,
        {},
        {
          Origin: 'https://evil.example',
        },
      );
      expect(crossSite.status).toBe(403);
      expect(await accepted(q.id)).toEqual(before);
    });

    it('accepts only a readable reply of the same question', async () => {
      const { asker, helper, q, first, second } = await question();
      // The question itself.
      const self = await asker.a.post(`/posts/${q.firstPostId}/accept`);
      expect(self.status).toBe(409);
      expect(await self.text()).toContain('The question itself cannot be its answer');
      // A reply of another question: its own asker decides, not this one.
      const other = await question();
      const foreign = await asker.a.post(`/posts/${other.first}/accept`);
      expect(foreign.status).toBe(403);
      expect((await topicRow(other.q.id))?.acceptedPostId).toBeNull();
      expect((await topicRow(q.id))?.acceptedPostId).toBeNull();
      // A deleted reply.
      expect((await helper.a.post(`/posts/${second}/delete`)).status).toBe(303);
      const deleted = await asker.a.post(`/posts/${second}/accept`);
      expect(deleted.status).toBe(409);
      expect(await deleted.text()).toContain('deleted, removed, or is waiting for approval');
      // A reply waiting for approval.
      await db().update(posts).set({ state: 'held' }).where(eq(posts.id, first));
      expect((await asker.a.post(`/posts/${first}/accept`)).status).toBe(409);
      expect((await topicRow(q.id))?.acceptedPostId).toBeNull();
      await db().update(posts).set({ state: 'visible' }).where(eq(posts.id, first));
      // Unaccepting what is not the answer.
      const notIt = await asker.a.post(`/posts/${first}/unaccept`);
      expect(notIt.status).toBe(409);
      expect(await notIt.text()).toContain('not the accepted answer');
      // Unknown posts; discussions have no answer.
      expect((await asker.a.post('/posts/999999999/accept')).status).toBe(404);
      expect((await asker.a.post('/posts/999999999/unaccept')).status).toBe(404);
      const discussion = await ask(asker, 'acme-backup-pro', {}, 'discussion');
      const discussionReply = await reply(helper, discussion.id);
      const refused = await asker.a.post(`/posts/${discussionReply}/accept`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('Only questions have an accepted answer');
      expect((await topicRow(discussion.id))?.acceptedPostId).toBeNull();
    });

    it('a reply deleted by its author stops being the answer', async () => {
      const { asker, helper, q, first } = await question();
      await asker.a.post(`/posts/${first}/accept`);
      expect((await helper.a.post(`/posts/${first}/delete`)).status).toBe(303);
      expect(await accepted(q.id)).toEqual({ postId: null, byId: null, at: undefined });
      const doc = await page(visitor().get(q.path));
      expect(doc.querySelector('.accepted-answer')).toBeNull();
    });

    it('carries schema.org QAPage markup for questions, with the accepted answer', async () => {
      const { asker, helper, q, first, second } = await question();
      await asker.a.post(`/posts/${first}/accept`);
      const doc = await page(visitor().get(q.path));
      const scripts = doc.querySelectorAll('script[type="application/ld+json"]');
      expect(scripts).toHaveLength(1);
      const data = JSON.parse(scripts[0]?.text ?? '');
      const origin = forum.deps.config.publicOrigin;
      expect(data['@context']).toBe('https://schema.org');
      expect(data['@type']).toBe('QAPage');
      const entity = data.mainEntity;
      expect(entity).toMatchObject({
        '@type': 'Question',
        name: q.title,
        answerCount: 2,
        dateCreated: q.createdAt.toISOString(),
        author: {
          '@type': 'Person',
          name: asker.user.username,
          url: `${origin}/u/${asker.user.username}`,
        },
      });
      // Plain text: no tags, entities decoded, whitespace collapsed.
      expect(entity.text).toMatch(/^How does feature \d+ work\? I tried everything & more\.$/);
      expect(entity.acceptedAnswer).toMatchObject({
        '@type': 'Answer',
        url: `${origin}/p/${first}`,
        author: { '@type': 'Person', name: helper.user.username },
      });
      expect(entity.acceptedAnswer.text).toMatch(/^Reply \d+: try the settings page\.$/);
      expect(new Date(entity.acceptedAnswer.dateCreated).getTime()).toBe(
        (await postRow(first))?.createdAt.getTime(),
      );
      expect(entity.suggestedAnswer).toEqual([
        expect.objectContaining({ '@type': 'Answer', url: `${origin}/p/${second}` }),
      ]);

      // Discussions carry none.
      const discussion = await ask(asker, 'acme-backup-pro', {}, 'discussion');
      const plain = await page(visitor().get(discussion.path));
      expect(plain.querySelector('script[type="application/ld+json"]')).toBeNull();
    });

    it('shows under the question a two-line plain-text excerpt, cut at a word, and a link to the answer', async () => {
      const { asker, helper, q, first } = await question();
      forum.clock.advance(10_000);
      const long = `**Open** the [settings](https://example.com/settings) page & choose *Backups*.\n\n${'Then wait for the schedule to run once more before you look again. '.repeat(6)}`;
      const res = await helper.a.post(`/t/${q.id}/replies`, { body: long });
      expect(res.status).toBe(303);
      const answer = Number(location(res).split('#p')[1]);
      await asker.a.post(`/posts/${answer}/accept`);
      const doc = await page(visitor().get(q.path));
      const block = doc.querySelector('.accepted-answer');
      const excerpt = block?.querySelector('.accepted-answer-excerpt');
      expect(excerpt?.childNodes.every((n) => n.nodeType === 3)).toBe(true);
      const text = excerpt?.text ?? '';
      expect(text.startsWith('Open the settings page & choose Backups. Then wait')).toBe(true);
      expect(text.length).toBeLessThanOrEqual(200);
      expect(text.length).toBeGreaterThan(150);
      // Cut after a whole word, marked with an ellipsis.
      expect(text).toMatch(
        / (?:Then|wait|for|the|schedule|to|run|once|more|before|you|look|again\.)…$/,
      );
      expect(block?.querySelector('.accepted-answer-jump a')?.getAttribute('href')).toBe(
        `#p${answer}`,
      );
      expect(doc.querySelector(`#p${first}`)?.classList.contains('post-accepted')).toBe(false);
    });

    it('shows no box when the accepted answer is the very next post: the reply is marked instead', async () => {
      const { asker, q, first } = await question();
      await asker.a.post(`/posts/${first}/accept`);
      const doc = await page(visitor().get(q.path));
      expect(doc.querySelector('.accepted-answer')).toBeNull();
      const articles = doc.querySelectorAll('.posts > *');
      expect(articles[0]?.getAttribute('id')).toBe(`p${q.firstPostId}`);
      expect(articles[1]?.getAttribute('id')).toBe(`p${first}`);
      expect(doc.querySelector(`#p${first} .accepted-mark`)?.text).toContain('Accepted answer');
      // The topic still counts as answered.
      expect(doc.querySelector('.tag-answered')).not.toBeNull();
    });

    it('prompts the asker, and only the asker, while their question has replies and no accepted answer', async () => {
      const PROMPT = /Did a reply solve it\? Mark it as the solution/;
      const promptOn = async (who: Person | null, path: string) => {
        const doc = await page((who?.a ?? visitor()).get(path));
        return doc.querySelector('.solution-prompt')?.text.replace(/\s+/g, ' ') ?? null;
      };
      const asker = await person();
      const helper = await person();
      const q = await ask(asker, 'acme-backup-pro');
      // No replies yet: nothing to mark.
      expect(await promptOn(asker, q.path)).toBeNull();
      const first = await reply(helper, q.id);
      expect(await promptOn(asker, q.path)).toMatch(PROMPT);
      const staff = await person({ vendor: 'vendor-acme' });
      const moderator = await person({ role: 'moderator' });
      for (const who of [helper, staff, moderator, null]) {
        expect(await promptOn(who, q.path), who?.user.username ?? 'a visitor').toBeNull();
      }
      // Right under the question.
      const doc = await page(asker.a.get(q.path));
      expect(
        doc
          .querySelector(`#p${q.firstPostId}`)
          ?.nextElementSibling?.classList.contains('solution-prompt'),
      ).toBe(true);
      await asker.a.post(`/posts/${first}/accept`);
      expect(await promptOn(asker, q.path)).toBeNull();
      await asker.a.post(`/posts/${first}/unaccept`);
      expect(await promptOn(asker, q.path)).toMatch(PROMPT);
      // A discussion has no solution to mark.
      const talk = await ask(asker, 'acme-backup-pro', {}, 'discussion');
      await reply(helper, talk.id);
      expect(await promptOn(asker, talk.path)).toBeNull();
    });
  });

  describe('the kind of a topic', () => {
    const checkedKind = (doc: ReturnType<typeof parseHtml>) =>
      doc.querySelector('input[name=kind][checked]')?.getAttribute('value');

    it('a new topic is a question in product forums and a discussion elsewhere', async () => {
      const who = await person();
      expect(checkedKind(await page(who.a.get('/f/acme-backup-pro/new')))).toBe('question');
      expect(checkedKind(await page(who.a.get('/f/off-topic/new')))).toBe('discussion');
      // A form that comes back keeps the forum's default when none was chosen...
      const back = await who.a.post('/f/acme-backup-pro', { title: 'x', body: 'Too short.' });
      expect(back.status).toBe(422);
      expect(checkedKind(await page(back))).toBe('question');
      // ...and the one chosen when there was one.
      const chosen = await who.a.post('/f/acme-backup-pro', {
        title: 'x',
        body: 'Too short.',
        kind: 'discussion',
      });
      expect(checkedKind(await page(chosen))).toBe('discussion');
      // A post without the field (no browser sends one) gets the forum's default too.
      for (const [slug, kind] of [
        ['acme-backup-pro', 'question'],
        ['off-topic', 'discussion'],
      ] as const) {
        forum.clock.advance(10_000);
        const res = await who.a.post(`/f/${slug}`, {
          title: `Default kind in ${slug} ${++seq}`,
          body: 'Which kind am I?',
        });
        expect(res.status).toBe(303);
        expect((await topicRow(Number(location(res).split('/')[2])))?.kind).toBe(kind);
      }
    });

    const kindLog = (topicId: number) =>
      db()
        .select()
        .from(moderationLog)
        .where(and(eq(moderationLog.action, 'topic_kind'), eq(moderationLog.targetId, topicId)));
    const kindForm = (doc: ReturnType<typeof parseHtml>, topicId: number) =>
      doc.querySelector(`form[action="/t/${topicId}/kind"]`);

    it('its author makes a discussion a question and back, from a form on the topic page', async () => {
      const author = await person();
      const t = await ask(author, 'off-topic', {}, 'discussion');
      const form = kindForm(await page(author.a.get(t.path)), t.id);
      expect(form?.querySelector('input[name=kind]')?.getAttribute('value')).toBe('question');
      expect(form?.querySelector('button[type=submit]')?.text).toBe('Make this a question');
      const res = await author.a.post(`/t/${t.id}/kind`, { kind: 'question' });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(t.path);
      expect((await topicRow(t.id))?.kind).toBe('question');
      const after = await page(author.a.get(t.path));
      expect(kindForm(after, t.id)?.querySelector('button')?.text).toBe('Make this a discussion');
      expect(after.querySelector('.topic-tags .tag')?.text).toBe('Question');
      // Choosing the kind it has changes nothing.
      expect((await author.a.post(`/t/${t.id}/kind`, { kind: 'question' })).status).toBe(303);
      expect((await author.a.post(`/t/${t.id}/kind`, { kind: 'discussion' })).status).toBe(303);
      expect((await topicRow(t.id))?.kind).toBe('discussion');
      // The author's own change is not a moderator's action.
      expect(await kindLog(t.id)).toEqual([]);
    });

    it('a moderator changes it too, logged; becoming a discussion clears the accepted answer', async () => {
      const asker = await person();
      const helper = await person();
      const moderator = await person({ role: 'moderator' });
      const q = await ask(asker, 'acme-backup-pro');
      const answer = await reply(helper, q.id);
      await asker.a.post(`/posts/${answer}/accept`);
      const form = kindForm(await page(moderator.a.get(q.path)), q.id);
      expect(form?.text).toContain('stops being it');
      const res = await moderator.a.post(`/t/${q.id}/kind`, { kind: 'discussion' });
      expect(res.status).toBe(303);
      expect(await topicRow(q.id)).toMatchObject({
        kind: 'discussion',
        acceptedPostId: null,
        acceptedById: null,
        acceptedAt: null,
      });
      expect(await kindLog(q.id)).toEqual([
        expect.objectContaining({
          moderatorId: moderator.user.id,
          targetType: 'topic',
          note: 'question -> discussion (accepted answer cleared)',
        }),
      ]);
      const doc = await page(visitor().get(q.path));
      expect(doc.querySelector('.accepted-mark, .accepted-answer')).toBeNull();
      // Back to a question: the old answer is not chosen again by itself.
      expect((await moderator.a.post(`/t/${q.id}/kind`, { kind: 'question' })).status).toBe(303);
      expect(await topicRow(q.id)).toMatchObject({ kind: 'question', acceptedPostId: null });
      expect((await kindLog(q.id)).map((r) => r.note)).toEqual([
        'question -> discussion (accepted answer cleared)',
        'discussion -> question',
      ]);
    });

    it('refuses everyone else (403) and leaves the topic as it was', async () => {
      const author = await person();
      const t = await ask(author, 'acme-backup-pro', {}, 'discussion');
      const member = await person();
      const staff = await person({ vendor: 'vendor-acme' });
      const suspendedAuthor = await person();
      const own = await ask(suspendedAuthor, 'acme-backup-pro', {}, 'discussion');
      await db()
        .update(users)
        .set({ suspendedUntil: new Date(forum.deps.now() + DAY), suspendedReason: 'Spam' })
        .where(eq(users.id, suspendedAuthor.user.id));
      const attempts: [string, Agent, number, RegExp][] = [
        ['another member', member.a, t.id, /person who started/],
        ['staff of the product’s vendor', staff.a, t.id, /person who started/],
        ['a visitor', visitor(), t.id, /sign in/],
        ['the author, suspended', suspendedAuthor.a, own.id, /suspended/],
      ];
      for (const [who, a, id, message] of attempts) {
        const before = await topicRow(id);
        const res = await a.post(`/t/${id}/kind`, { kind: 'question' });
        expect(res.status, who).toBe(403);
        expect(await res.text()).toMatch(message);
        expect(await topicRow(id), who).toEqual(before);
        expect(kindForm(await page(a.get(id === t.id ? t.path : own.path)), id), who).toBeNull();
      }
      // Cross-site posts never reach the rule.
      const crossSite = await author.a.post(
        `/t/${t.id}/kind`,
        { kind: 'question' },
        { Origin: 'https://evil.example' },
      );
      expect(crossSite.status).toBe(403);
      expect((await topicRow(t.id))?.kind).toBe('discussion');
    });

    it('refuses in archived forums and on removed topics, and a kind no form sends (422)', async () => {
      const author = await person();
      const moderator = await person({ role: 'moderator' });
      const f = await createForum(forum.deps, {
        slug: `kind-archive-${++seq}`,
        name: `Kind archive ${seq}`,
        category: 'community',
      });
      const t = await ask(author, f.slug, {}, 'discussion');
      await setForumArchived(forum.deps, COMMAND_LINE, f.id, true);
      for (const who of [author, moderator]) {
        const res = await who.a.post(`/t/${t.id}/kind`, { kind: 'question' });
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('archived');
        expect(kindForm(await page(who.a.get(t.path)), t.id)).toBeNull();
      }
      expect((await topicRow(t.id))?.kind).toBe('discussion');

      const removed = await ask(author, 'off-topic', {}, 'discussion');
      forum.clock.advance(10_000);
      const rm = await moderator.a.post(`/t/${removed.id}/remove`, { reason: 'spam', note: '' });
      expect(rm.status).toBe(303);
      const gone = await author.a.post(`/t/${removed.id}/kind`, { kind: 'question' });
      expect(gone.status).toBe(404);
      expect((await topicRow(removed.id))?.kind).toBe('discussion');

      const open = await ask(author, 'off-topic', {}, 'discussion');
      const bad = await author.a.post(`/t/${open.id}/kind`, { kind: 'poll' });
      expect(bad.status).toBe(422);
      const doc = await page(bad);
      expect(doc.querySelector('.error-message')?.text).toContain('discussion or a question');
      expect(checkedKind(doc)).toBe('discussion');
      expect(doc.querySelector(`form[action="/t/${open.id}/kind"]`)).not.toBeNull();
      expect((await topicRow(open.id))?.kind).toBe('discussion');
      expect((await author.a.post('/t/999999999/kind', { kind: 'question' })).status).toBe(404);
    });
  });

  describe('answered and unanswered lists', () => {
    let slug: string;
    let unanswered: number[];
    let answered: number[];

    beforeAll(async () => {
      const f = await createForum(forum.deps, {
        slug: `questions-${++seq}`,
        name: 'Questions only',
        category: 'community',
      });
      slug = f.slug;
      const [author] = await db()
        .insert(users)
        .values({ username: `filters_${seq}`, usernameKey: `filters_${seq}` })
        .returning();
      let at = forum.deps.now() - 10 * DAY;
      const stepped: AppDeps = { ...forum.deps, now: () => at };
      unanswered = [];
      answered = [];
      // 35 open questions, 3 answered ones and 4 discussions, interleaved in time.
      for (let i = 0; i < 42; i++) {
        at += MINUTE;
        const kind = i % 10 === 9 ? 'discussion' : 'question';
        const t = await createTopic(stepped, {
          forumId: f.id,
          authorId: author?.id ?? 0,
          title: `Filtered topic ${i}`,
          body: 'Body.',
          kind,
        });
        if (kind === 'discussion') continue;
        if (i % 10 === 4 && answered.length < 3) {
          at += MINUTE;
          const r = await createReply(stepped, {
            topicId: t.topicId,
            authorId: author?.id ?? 0,
            body: 'The answer.',
          });
          await db()
            .update(topics)
            .set({ acceptedPostId: r.postId, acceptedById: author?.id, acceptedAt: new Date(at) })
            .where(eq(topics.id, t.topicId));
          answered.push(t.topicId);
        } else unanswered.push(t.topicId);
      }
    });

    const idsOn = (doc: ReturnType<typeof parseHtml>) =>
      doc
        .querySelectorAll('.topic-list .topic-title a')
        .map((a) => Number(a.getAttribute('href')?.split('/')[2]));

    it('lists unanswered questions over pages that keep the filter', async () => {
      expect(unanswered).toHaveLength(35);
      const first = await page(visitor().get(`/f/${slug}?filter=unanswered`));
      const current = first.querySelectorAll('.topic-filters a[aria-current=page]');
      expect(current.map((a) => a.text)).toEqual(['Unanswered questions']);
      expect(first.querySelector('.topic-filters a[href$="?filter=answered"]')).not.toBeNull();
      const page1 = idsOn(first);
      expect(page1).toHaveLength(30);
      expect(first.querySelector('.pagination-position')?.text).toBe('Page 1 of 2');
      expect(first.querySelector('link[rel=canonical]')?.getAttribute('href')).toMatch(
        new RegExp(`/f/${slug}\\?filter=unanswered$`),
      );
      const next = first.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
      expect(next).toMatch(new RegExp(`^/f/${slug}\\?filter=unanswered&page=2&after=`));
      const second = await page(visitor().get(next));
      const page2 = idsOn(second);
      expect(page2).toHaveLength(5);
      expect([...page1, ...page2].sort((a, b) => a - b)).toEqual(unanswered);
      // Newest activity first, as in every list.
      expect(page1[0]).toBe(unanswered[unanswered.length - 1]);
      expect(second.querySelectorAll('.tag').map((t) => t.text)).toEqual(Array(5).fill('Question'));
      const prev = second.querySelector('a[rel=prev]')?.getAttribute('href');
      expect(prev).toBe(`/f/${slug}?filter=unanswered`);
      // A page typed by hand works too, and a page past the end does not exist.
      expect(idsOn(await page(visitor().get(`/f/${slug}?filter=unanswered&page=2`)))).toEqual(
        page2,
      );
      expect((await visitor().get(`/f/${slug}?filter=unanswered&page=3`)).status).toBe(404);
    });

    it('lists answered questions', async () => {
      const doc = await page(visitor().get(`/f/${slug}?filter=answered`));
      expect(idsOn(doc).sort((a, b) => a - b)).toEqual(answered);
      expect(doc.querySelectorAll('.topic-list .tag').map((t) => t.text)).toEqual(
        Array(3).fill('Answered'),
      );
      expect(doc.querySelector('.pagination')).toBeNull();
      const all = await page(visitor().get(`/f/${slug}`));
      expect(all.querySelector('.topic-filters a[aria-current=page]')?.text).toBe('All topics');
      expect(idsOn(all)).toHaveLength(30);
    });

    it('says so when a list is empty, and refuses an unknown filter (400)', async () => {
      const empty = await page(visitor().get('/f/off-topic?filter=answered'));
      expect(empty.querySelector('.empty')?.text).toContain('No answered questions');
      const bad = await visitor().get(`/f/${slug}?filter=popular`);
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('use ?filter=unanswered or ?filter=answered');
    });
  });

  describe('the vendor dashboard', () => {
    /** A vendor of its own, with two product forums, so that nothing else lands in its lists. */
    async function vendorWithForums(name: string) {
      const n = ++seq;
      const vendor = await ensureVendor(forum.deps, { plimusVendorId: `vendor-${n}`, name });
      const forumsOf = [];
      for (const k of [1, 2]) {
        const product = await ensureProduct(forum.deps, {
          plimusProductId: `product-${n}-${k}`,
          name: `${name} Product ${k}`,
          vendorId: vendor.id,
        });
        forumsOf.push(
          await createForum(forum.deps, {
            slug: `product-${n}-${k}`,
            name: `${name} Product ${k}`,
            category: 'products',
            productId: product.id,
          }),
        );
      }
      return { vendor, forums: forumsOf as [(typeof forumsOf)[0], (typeof forumsOf)[0]] };
    }

    /** Writes a topic (and replies) as if posted `ago` milliseconds before now. */
    async function postedAgo(
      forumId: number,
      authorId: number,
      ago: number,
      opts: {
        kind?: 'question' | 'discussion';
        /** waiting for a moderator's approval, as the posts of a held member do */
        held?: boolean;
        replies?: { by: number; after: number; held?: boolean }[];
      } = {},
    ) {
      let at = forum.deps.now() - ago;
      const stepped: AppDeps = { ...forum.deps, now: () => at };
      const t = await createTopic(stepped, {
        forumId,
        authorId,
        title: `Dashboard topic ${++seq}`,
        body: 'Does it work?',
        kind: opts.kind ?? 'question',
        held: opts.held ?? false,
      });
      const replyIds: number[] = [];
      for (const r of opts.replies ?? []) {
        at += r.after;
        replyIds.push(
          (
            await createReply(stepped, {
              topicId: t.topicId,
              authorId: r.by,
              body: 'Yes.',
              held: r.held ?? false,
            })
          ).postId,
        );
      }
      return { ...t, replyIds };
    }

    const questionsOn = (doc: ReturnType<typeof parseHtml>) =>
      doc.querySelectorAll('.vendor-questions > li').map((li) => ({
        id: Number(li.querySelector('h3 a')?.getAttribute('href')?.split('/')[2]),
        meta: li.querySelector('.topic-meta')?.text.replace(/\s+/g, ' ').trim(),
      }));

    it('lists the open questions of the vendor’s forums, longest waiting first, with their age, forum and replies', async () => {
      const {
        vendor,
        forums: [one, two],
      } = await vendorWithForums('Globex');
      const other = await vendorWithForums('Initech');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const customer = await person();
      const c = customer.user.id;
      const oldest = await postedAgo(one.id, c, 5 * DAY);
      const middle = await postedAgo(two.id, c, 3 * DAY + 2 * HOUR, {
        replies: [{ by: c, after: HOUR }],
      });
      const newest = await postedAgo(one.id, c, 2 * HOUR + 5 * MINUTE);
      // Not listed: answered, removed, discussions, another vendor's questions.
      const answeredQ = await postedAgo(one.id, c, 4 * DAY, { replies: [{ by: c, after: HOUR }] });
      await db()
        .update(topics)
        .set({
          acceptedPostId: answeredQ.replyIds[0],
          acceptedById: c,
          acceptedAt: new Date(forum.deps.now()),
        })
        .where(eq(topics.id, answeredQ.topicId));
      const removed = await postedAgo(two.id, c, 6 * DAY);
      await db()
        .update(topics)
        .set({ removedAt: new Date(forum.deps.now()) })
        .where(eq(topics.id, removed.topicId));
      await postedAgo(one.id, c, 7 * DAY, { kind: 'discussion' });
      await postedAgo(other.forums[0].id, c, 8 * DAY);

      const res = await staff.a.get('/vendor');
      expect(res.status).toBe(200);
      const doc = await page(res);
      expect(doc.querySelector('h1')?.text).toBe('Vendor dashboard: Globex');
      const listed = questionsOn(doc);
      expect(listed.map((q) => q.id)).toEqual([oldest.topicId, middle.topicId, newest.topicId]);
      // The header's Vendor link counts the same open questions, on every page.
      expect(doc.querySelector('a[href="/vendor"] [aria-hidden="true"]')?.text).toBe('(3)');
      expect(doc.querySelector('a[href="/vendor"] .visually-hidden')?.text).toContain(
        '3 open questions',
      );
      expect(listed[0]?.meta).toBe(
        `In Globex Product 1 · asked by ${customer.user.username} 5 days ago · 0 replies`,
      );
      expect(listed[1]?.meta).toBe(
        `In Globex Product 2 · asked by ${customer.user.username} 3 days ago · 1 reply, the last 3 days ago`,
      );
      expect(listed[2]?.meta).toBe(
        `In Globex Product 1 · asked by ${customer.user.username} 2 hours ago · 0 replies`,
      );
      const firstLink = doc.querySelector('.vendor-questions h3 a');
      expect(firstLink?.getAttribute('href')).toBe(`/t/${oldest.topicId}/${oldest.slug}`);
      expect(doc.querySelector('.vendor-questions time')?.getAttribute('datetime')).toBe(
        new Date(forum.deps.now() - 5 * DAY).toISOString(),
      );
      expect(doc.text).toContain('3 questions have no accepted answer yet');
      // The navigation links to the dashboard for vendor staff.
      expect(doc.querySelector('.site-nav a[href="/vendor"]')?.text).toMatch(/^Vendor\b/);
    });

    it('a product forum’s list has columns, says how long ago in words with the exact time, and tags vendor replies', async () => {
      const {
        vendor,
        forums: [one],
      } = await vendorWithForums('Hooli');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const customer = await person();
      const c = customer.user.id;
      const slug = `product-${seq - 2}-1`;
      const yesterday = await postedAgo(one.id, c, 30 * HOUR);
      const replied = await postedAgo(one.id, c, 3 * HOUR + 5 * MINUTE, {
        replies: [
          { by: c, after: MINUTE },
          { by: staff.user.id, after: HOUR },
        ],
      });
      const byCustomer = await postedAgo(one.id, c, 10 * MINUTE, {
        kind: 'discussion',
        replies: [{ by: c, after: MINUTE }],
      });
      const itemOf = (doc: ReturnType<typeof parseHtml>, id: number) => {
        const li = doc
          .querySelectorAll('.topic-item')
          .find((x) => x.querySelector(`h2 a[href^="/t/${id}/"]`));
        expect(li, `topic ${id} listed`).toBeDefined();
        return li as NonNullable<typeof li>;
      };
      const words = (el: { text: string } | null | undefined) =>
        el?.text.replace(/\s+/g, ' ').trim();

      const doc = await page(visitor().get(`/f/${slug}`));
      const r = itemOf(doc, replied.topicId);
      expect(r.querySelectorAll('.tag').map((t) => t.text)).toEqual(['Question', 'Vendor replied']);
      expect(words(r.querySelector('.topic-replies'))).toBe('2 replies');
      expect(words(r.querySelector('.topic-activity'))).toBe(
        `Last post by ${staff.user.username} 2 hours ago`,
      );
      expect(words(r.querySelector('.topic-meta'))).toBe(
        `Started by ${customer.user.username} 3 hours ago`,
      );
      const started = r.querySelector('.topic-meta time');
      const at = new Date(forum.deps.now() - 3 * HOUR - 5 * MINUTE);
      expect(started?.getAttribute('datetime')).toBe(at.toISOString());
      expect(started?.getAttribute('title')).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$/);

      const y = itemOf(doc, yesterday.topicId);
      expect(words(y.querySelector('.topic-activity'))).toBe(
        `Last post by ${customer.user.username} yesterday`,
      );
      expect(y.querySelectorAll('.tag').map((t) => t.text)).toEqual(['Question']);
      expect(words(y.querySelector('.topic-replies'))).toBe('0 replies');
      const d = itemOf(doc, byCustomer.topicId);
      expect(d.querySelector('.topic-tags')).toBeNull();
      expect(words(d.querySelector('.topic-replies'))).toBe('1 reply');
      expect(words(d.querySelector('.topic-activity'))).toMatch(/ 9 minutes ago$/);

      // The words are counted at each render from the request's clock, not kept from an earlier one.
      forum.clock.advance(2 * DAY);
      const later = await page(visitor().get(`/f/${slug}`));
      expect(words(itemOf(later, replied.topicId).querySelector('.topic-activity'))).toBe(
        `Last post by ${staff.user.username} 2 days ago`,
      );
      expect(words(itemOf(later, yesterday.topicId).querySelector('.topic-meta'))).toBe(
        `Started by ${customer.user.username} 3 days ago`,
      );
      expect(later.querySelector('.topic-columns')?.getAttribute('aria-hidden')).toBe('true');
    });

    it('pages through many open questions with keyset links', async () => {
      const {
        vendor,
        forums: [one, two],
      } = await vendorWithForums('Umbrella');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const customer = await person();
      const ids: number[] = [];
      // 33 questions, alternating between the two forums, one a minute, oldest first.
      for (let i = 0; i < 33; i++) {
        const t = await postedAgo(i % 2 ? two.id : one.id, customer.user.id, (40 - i) * HOUR);
        ids.push(t.topicId);
      }
      // A pinned question waits in the same order as the others.
      await db()
        .update(topics)
        .set({ pinned: true })
        .where(eq(topics.id, ids[31] as number));
      const first = await page(staff.a.get('/vendor'));
      expect(questionsOn(first).map((q) => q.id)).toEqual(ids.slice(0, 30));
      expect(first.querySelector('.pagination-position')?.text).toBe('Page 1 of 2');
      const next = first.querySelector('a[rel=next]')?.getAttribute('href') ?? '';
      expect(next).toMatch(/^\/vendor\?page=2&after=\d+\.\d+$/);
      const second = await page(staff.a.get(next));
      expect(questionsOn(second).map((q) => q.id)).toEqual(ids.slice(30));
      expect(second.querySelector('a[rel=prev]')?.getAttribute('href')).toBe('/vendor');
      expect(questionsOn(await page(staff.a.get('/vendor?page=2'))).map((q) => q.id)).toEqual(
        ids.slice(30),
      );
      // "Previous" from a third page walks backwards from its first row.
      const back = await page(
        staff.a.get(`/vendor?page=2&before=${forum.deps.now() - 40 * HOUR + 31 * HOUR}.${ids[31]}`),
      );
      expect(questionsOn(back).map((q) => q.id)).toEqual(ids.slice(1, 31));
      expect((await staff.a.get('/vendor?page=3')).status).toBe(404);
      expect((await staff.a.get('/vendor?after=nonsense')).status).toBe(400);
    });

    it('lists the staff member’s recent replies in those forums, newest first, marking accepted ones', async () => {
      const {
        vendor,
        forums: [one, two],
      } = await vendorWithForums('Hooli');
      const other = await vendorWithForums('Aviato');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const s = staff.user.id;
      const c = (await person()).user.id;
      const q1 = await postedAgo(one.id, c, 3 * DAY, { replies: [{ by: s, after: HOUR }] });
      const q2 = await postedAgo(two.id, c, 2 * DAY, { replies: [{ by: s, after: HOUR }] });
      const d = await postedAgo(one.id, c, 1 * DAY, {
        kind: 'discussion',
        replies: [{ by: s, after: HOUR }],
      });
      await postedAgo(other.forums[0].id, c, DAY / 2, { replies: [{ by: s, after: HOUR }] });
      // Their own topic's first post is not an answer.
      await postedAgo(one.id, s, HOUR);
      await db()
        .update(topics)
        .set({
          acceptedPostId: q1.replyIds[0],
          acceptedById: c,
          acceptedAt: new Date(forum.deps.now()),
        })
        .where(eq(topics.id, q1.topicId));
      const doc = await page(staff.a.get('/vendor'));
      const items = doc.querySelectorAll('.vendor-answers > li');
      expect(items.map((li) => li.querySelector('a')?.getAttribute('href'))).toEqual([
        `/p/${d.replyIds[0]}`,
        `/p/${q2.replyIds[0]}`,
        `/p/${q1.replyIds[0]}`,
      ]);
      expect(items.map((li) => !!li.querySelector('.tag-answered'))).toEqual([false, false, true]);
      expect(items[1]?.text).toContain('Hooli Product 2');
      // The answered question is no longer open; the other one is.
      expect(questionsOn(doc).map((q) => q.id)).toEqual([q2.topicId, expect.any(Number)]);
    });

    it('leaves out posts held for approval: held questions and the staff member’s held replies', async () => {
      const {
        vendor,
        forums: [one],
      } = await vendorWithForums('Soylent');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const s = staff.user.id;
      const c = (await person()).user.id;
      const open = await postedAgo(one.id, c, 3 * DAY, {
        replies: [
          { by: s, after: HOUR },
          { by: s, after: HOUR, held: true },
        ],
      });
      const held = await postedAgo(one.id, c, 4 * DAY, { held: true });
      expect((await topicRow(held.topicId))?.state).toBe('held');
      expect((await postRow(open.replyIds[1] as number))?.state).toBe('held');
      const doc = await page(staff.a.get('/vendor'));
      expect(questionsOn(doc).map((q) => q.id)).toEqual([open.topicId]);
      expect(doc.text).toContain('1 question has no accepted answer yet');
      expect(
        doc
          .querySelectorAll('.vendor-answers > li')
          .map((li) => li.querySelector('a')?.getAttribute('href')),
      ).toEqual([`/p/${open.replyIds[0]}`]);
    });

    it('has an empty state', async () => {
      const { vendor } = await vendorWithForums('Vandelay');
      const staff = await person({ vendor: vendor.plimusVendorId });
      const doc = await page(staff.a.get('/vendor'));
      expect(doc.querySelector('.vendor-questions')).toBeNull();
      expect(doc.text).toContain('No open questions');
      expect(doc.text).toContain('You have not replied in your products’ forums yet');
      expect(doc.querySelectorAll('.lede a').map((a) => a.text)).toEqual([
        'Vandelay Product 1',
        'Vandelay Product 2',
      ]);
    });

    it('is for vendor staff only (403 with the reason), and only they see it in the navigation', async () => {
      const member = await person({ purchases: ['product-acme-backup'] });
      const moderator = await person({ role: 'moderator' });
      for (const who of [member, moderator]) {
        const res = await who.a.get('/vendor');
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('The vendor dashboard is for vendor staff');
      }
      const res = await visitor().get('/vendor');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Please sign in with your Plimus identity');
      const home = await page(member.a.get('/'));
      expect(home.querySelector('.site-nav a[href="/account"]')).not.toBeNull();
      expect(home.querySelector('.site-nav a[href="/vendor"]')).toBeNull();
    });
  });
  describe('vendor staff status confirmed long ago', () => {
    it('stops counting VENDOR_CLAIMS_MAX_AGE_DAYS after the Plimus sign-in that confirmed it, and /vendor and /account say why', async () => {
      const maxAge = forum.deps.config.vendorClaimsMaxAgeDays;
      expect(maxAge).toBe(30);
      const asker = await person();
      const helper = await person();
      const staff = await person({ vendor: 'vendor-acme' }); // confirmed now
      const q = await ask(asker, 'acme-backup-pro');
      const answer = await reply(helper, q.id);
      // Signing in with a password since then confirms nothing.
      forum.clock.advance(maxAge * DAY - 2 * MINUTE);
      const a = await signIn(forum.request, staff.user.username);
      expect((await a.get('/vendor')).status).toBe(200);
      forum.clock.advance(2 * MINUTE);

      const dashboard = await a.get('/vendor');
      expect(dashboard.status).toBe(403);
      expect((await page(dashboard)).querySelector('main')?.text).toContain(
        'it was last confirmed too long ago, so it does not count for now. Sign in with Plimus again to confirm it.',
      );
      expect((await page(a.get('/'))).querySelector('.site-nav a[href="/vendor"]')).toBeNull();
      expect((await a.post(`/posts/${answer}/accept`)).status).toBe(403);
      expect((await topicRow(q.id))?.acceptedPostId).toBeNull();

      const notice = (await page(a.get('/account'))).querySelector('.vendor-claims-expired');
      expect(notice?.text.replace(/\s+/g, ' ')).toMatch(
        /last confirmed when you signed in with Plimus on .+, more than 30 days ago, so it does not count for now.* Sign in with Plimus again to confirm it\./,
      );
    });

    it('is not mentioned for people who are not vendor staff, however old their claims', async () => {
      const buyer = await person({ purchases: ['product-acme-backup'] });
      forum.clock.advance(400 * DAY);
      const a = await signIn(forum.request, buyer.user.username);
      expect((await page(a.get('/account'))).querySelector('.vendor-claims-expired')).toBeNull();
      expect(await (await a.get('/vendor')).text()).toContain(
        'The vendor dashboard is for vendor staff',
      );
    });
  });

  describe('new questions in a product forum', () => {
    it('are notified to the vendor’s staff by default, until they choose a level of their own', async () => {
      const staff = await person({ vendor: 'vendor-acme' });
      const other = await person({ vendor: 'vendor-northwind' });
      const asker = await person();
      const kindsOf = async (who: Person, topicId: number) =>
        (await db().select().from(notifications).where(eq(notifications.userId, who.user.id)).all())
          .filter((n) => n.topicId === topicId)
          .map((n) => n.kind);
      const q = await ask(asker, 'acme-backup-pro');
      expect(await runNotificationJobs(forum.deps)).toBeGreaterThanOrEqual(1);
      expect(await kindsOf(staff, q.id)).toEqual(['watched_forum_topic']);
      // Staff of another vendor are told nothing.
      expect(await kindsOf(other, q.id)).toEqual([]);
      // Muting the forum is a choice of their own: it wins.
      const muted = await staff.a.post('/f/acme-backup-pro/watch', { level: 'muted' });
      expect(muted.status).toBe(303);
      const next = await ask(asker, 'acme-backup-pro');
      await runNotificationJobs(forum.deps);
      expect(await kindsOf(staff, next.id)).toEqual([]);
    });
  });
}
