/**
 * Moderation, the same on Node (libSQL) and in workerd (D1): reports and the queue against the
 * 2-business-day promise, removing and restoring posts and topics, locking, pinning, moving,
 * suspending, and the log that every action writes in its own batch.
 */
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  forums,
  moderationLog,
  pendingEdits,
  postRevisions,
  posts,
  reports,
  topics,
  users,
  watchedWords,
} from '../../db/schema';
import { seedDemo } from '../../dev/demo';
import { hashPassword } from '../../src/auth/password';
import { businessDaysBetween } from '../../src/services/reports';
import { parseHtml } from '../support/html';
import type { ClockedForum } from './accounts-suite';
import { type Agent, agent, location } from './agent';
import { DAY, insertAccount, PASSWORD, signIn } from './people';

let seq = 0;

export function moderationSuite(setup: () => Promise<ClockedForum>) {
  let forum: ClockedForum;
  let passwordHash: string;
  let mod: Agent;
  let modUser: typeof users.$inferSelect;
  const db = () => forum.deps.db;

  async function person(role: 'member' | 'moderator' | 'admin' = 'member') {
    const username = `ms_${role.slice(0, 3)}_${++seq}`;
    const user = await insertAccount(db(), {
      username,
      passwordHash,
      now: forum.deps.now(),
      ageDays: 10,
      values: { role },
    });
    // Kept signed in: the tests move the clock by days to age the reports.
    return { a: await signIn(forum.request, username, { remember: true }), user };
  }

  const logRows = (action: string, targetId: number) =>
    db()
      .select()
      .from(moderationLog)
      .where(and(eq(moderationLog.action, action), eq(moderationLog.targetId, targetId)));
  const postRow = (id: number) => db().select().from(posts).where(eq(posts.id, id)).get();
  const topicRow = (id: number) => db().select().from(topics).where(eq(topics.id, id)).get();
  const topicByTitle = (title: string) =>
    db().select().from(topics).where(eq(topics.title, title)).get();
  const page = async (res: Response) => parseHtml(await res.text());
  const search = (word: string) =>
    db().all<{ rowid: number }>(sql`select rowid from posts_fts where posts_fts match ${word}`);

  async function aTopic(title: string, replies = 1, word = 'zebrafinch') {
    const { a } = await person();
    expect(
      (await a.post('/f/off-topic', { title, body: `Opening post of ${title}.` })).status,
    ).toBe(303);
    const topic = (await topicByTitle(title)) as typeof topics.$inferSelect;
    for (let i = 0; i < replies; i++) {
      forum.clock.advance(6_000);
      await a.post(`/t/${topic.id}/replies`, { body: `Reply ${i} of ${word}.` });
    }
    return (await topicByTitle(title)) as typeof topics.$inferSelect;
  }

  /** A topic held for approval: a moderator holds its author's posts. */
  async function aHeldTopic(title: string) {
    const { a, user } = await person();
    expect((await mod.post(`/u/${user.username}/hold-posts`, { note: '' })).status).toBe(303);
    forum.clock.advance(6_000);
    expect((await a.post('/f/off-topic', { title, body: 'Waiting for it.' })).status).toBe(303);
    const topic = (await topicByTitle(title)) as typeof topics.$inferSelect;
    expect(topic.state).toBe('held');
    return { a, user, topic };
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword(PASSWORD);
    await seedDemo(forum.deps);
    ({ a: mod, user: modUser } = await person('moderator'));
  });

  describe('business days', () => {
    it('count only Monday to Friday', () => {
      const friday = Date.parse('2026-11-20T12:00:00Z');
      expect(businessDaysBetween(friday, friday + 3 * DAY)).toBe(1); // Friday noon to Monday noon
      expect(businessDaysBetween(friday, friday + 7 * DAY)).toBe(5);
      expect(businessDaysBetween(friday + DAY, friday + 2 * DAY)).toBe(0); // the weekend
    });
  });

  describe('reports', () => {
    it('a member reports a post once; it waits in the queue with its age against the promise', async () => {
      const topic = await aTopic('Reported topic here');
      const reply = topic.lastPostId as number;
      const { a: reporter } = await person();
      const form = await reporter.get(`/posts/${reply}/report`);
      expect(form.status).toBe(200);
      const bad = await reporter.post(`/posts/${reply}/report`, { reason: 'nonsense', note: 'x' });
      expect(bad.status).toBe(422);
      expect((await page(bad)).querySelector('#reason-error')).not.toBeNull();
      const res = await reporter.post(`/posts/${reply}/report`, {
        reason: 'spam',
        note: 'Selling watches',
      });
      expect(res.status).toBe(200);
      const again = await reporter.post(`/posts/${reply}/report`, { reason: 'abuse', note: '' });
      expect(again.status).toBe(409);
      const open = await db().select().from(reports).where(eq(reports.postId, reply));
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ reason: 'spam', note: 'Selling watches', status: 'open' });

      const { a: second } = await person();
      forum.clock.advance(5 * DAY); // Friday noon to Wednesday noon: 3 business days
      await second.post(`/posts/${reply}/report`, { reason: 'off_topic', note: '' });
      const queue = await page(await mod.get('/mod'));
      const item = queue
        .querySelectorAll('.queue-item')
        .find((li) => li.querySelector('h3 a')?.getAttribute('href') === `/p/${reply}`);
      expect(item?.querySelectorAll('.queue-reports li')).toHaveLength(2);
      expect(item?.querySelector('.queue-age')?.text).toMatch(/waiting \d+\.\d business days?/);
    });

    it('marks reports past 2 business days as overdue, oldest first', async () => {
      const fresh = await aTopic('Fresh report topic');
      const { a: reporter } = await person();
      await reporter.post(`/posts/${fresh.lastPostId}/report`, { reason: 'abuse', note: '' });
      const queue = await page(await mod.get('/mod'));
      const items = queue.querySelectorAll('.queue-item');
      const older = items.findIndex((li) => li.text.includes('Reported topic here'));
      const newer = items.findIndex((li) => li.text.includes('Fresh report topic'));
      expect(older).toBeLessThan(newer);
      expect(items[older]?.classList.contains('overdue')).toBe(true);
      expect(items[older]?.querySelector('.queue-age')?.text).toMatch(/^Overdue:/);
      expect(items[newer]?.classList.contains('overdue')).toBe(false);
    });

    it('resolving by removal removes the post and closes every open report on it, logged', async () => {
      const topic = await topicByTitle('Reported topic here');
      const reply = topic?.lastPostId as number;
      const [first] = await db().select().from(reports).where(eq(reports.postId, reply));
      const res = await mod.post(`/mod/reports/${first?.id}/resolve`, {
        action: 'remove',
        note: 'No advertising, please.',
      });
      expect(res.status).toBe(303);
      const all = await db().select().from(reports).where(eq(reports.postId, reply));
      expect(all.map((r) => r.status)).toEqual(['resolved', 'resolved']);
      expect(all.every((r) => r.resolvedById === modUser.id)).toBe(true);
      expect(await postRow(reply)).toMatchObject({
        removedReason: 'spam',
        removedNote: 'No advertising, please.',
      });
      expect(await logRows('report_resolve', first?.id ?? 0)).toHaveLength(1);
      expect(await logRows('post_remove', reply)).toHaveLength(1);
      // already resolved
      expect(
        (await mod.post(`/mod/reports/${first?.id}/resolve`, { action: 'dismiss', note: '' }))
          .status,
      ).toBe(409);
    });

    it('dismissing keeps the post and closes the reports', async () => {
      const topic = await topicByTitle('Fresh report topic');
      const [report] = await db()
        .select()
        .from(reports)
        .where(eq(reports.postId, topic?.lastPostId ?? 0));
      expect(
        (
          await mod.post(`/mod/reports/${report?.id}/resolve`, {
            action: 'dismiss',
            note: 'Not abuse.',
          })
        ).status,
      ).toBe(303);
      const after = await db()
        .select()
        .from(reports)
        .where(eq(reports.id, report?.id ?? 0))
        .get();
      expect(after).toMatchObject({ status: 'dismissed', resolutionNote: 'Not abuse.' });
      expect((await postRow(topic?.lastPostId ?? 0))?.removedAt).toBeNull();
      expect(await logRows('report_dismiss', report?.id ?? 0)).toHaveLength(1);
    });

    it('a member files at most 10 reports an hour: the 11th is 429 with Retry-After, not written', async () => {
      const topic = await aTopic('Many posts to report', 11);
      const postIds = (
        await db().select({ id: posts.id }).from(posts).where(eq(posts.topicId, topic.id))
      ).map((p) => p.id);
      expect(postIds).toHaveLength(12);
      const { a: reporter, user } = await person();
      const filed = async () =>
        (
          await db()
            .select({ n: count() })
            .from(reports)
            .where(eq(reports.reporterId, user.id))
            .get()
        )?.n;
      for (const id of postIds.slice(0, 10)) {
        expect(
          (await reporter.post(`/posts/${id}/report`, { reason: 'spam', note: '' })).status,
        ).toBe(200);
      }
      const refused = await reporter.post(`/posts/${postIds[10]}/report`, {
        reason: 'spam',
        note: 'Kept in the form',
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const doc = await page(refused);
      expect(doc.querySelector('.error-summary')?.text).toContain('many reports in a short time');
      // (a browser drops the newline that starts a text area's content)
      expect(doc.querySelector('#note')?.text.replace(/^\n/, '')).toBe('Kept in the form');
      expect(await filed()).toBe(10);
      // Another member is not held back by it; after the hour, the first may report again.
      const { a: other } = await person();
      expect(
        (await other.post(`/posts/${postIds[10]}/report`, { reason: 'spam', note: '' })).status,
      ).toBe(200);
      forum.clock.advance(60 * 60_000);
      expect(
        (await reporter.post(`/posts/${postIds[11]}/report`, { reason: 'spam', note: '' })).status,
      ).toBe(200);
      expect(await filed()).toBe(11);
    });

    it('a report under a day old reads "reported 4 minutes ago", not in business days', async () => {
      const topic = await aTopic('Minutes old report');
      const { a: reporter } = await person();
      await reporter.post(`/posts/${topic.lastPostId}/report`, { reason: 'spam', note: '' });
      forum.clock.advance(4 * 60_000 + 10_000);
      const queue = await page(await mod.get('/mod'));
      const item = queue
        .querySelectorAll('.queue-item')
        .find((li) => li.querySelector('h3 a')?.getAttribute('href') === `/p/${topic.lastPostId}`);
      const age = item?.querySelector('.queue-age');
      expect(age?.text).toMatch(/^reported 4 minutes ago · 1 report$/);
      expect(age?.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(item?.querySelector('.queue-reports li')?.text).toMatch(/reported 4 minutes ago$/);
      // The post's own panel lists it the same way.
      const panel = await page(await mod.get(`/mod/posts/${topic.lastPostId}`));
      expect(panel.querySelector('.post-reports li')?.text).toMatch(
        /^Spam — ms_mem_\d+, reported 4 minutes ago \(open\)$/,
      );
    });

    it('removing a post from its panel resolves its open reports in the same batch, each logged', async () => {
      const topic = await aTopic('Removed from the panel');
      const reply = topic.lastPostId as number;
      const reporters = [await person(), await person()];
      await reporters[0]?.a.post(`/posts/${reply}/report`, { reason: 'spam', note: 'Ads' });
      forum.clock.advance(60_000);
      await reporters[1]?.a.post(`/posts/${reply}/report`, { reason: 'abuse', note: '' });
      forum.clock.advance(60_000);

      // The panel lists the post's reports, and says what removing it does to them.
      const before = await page(await mod.get(`/mod/posts/${reply}`));
      expect(before.querySelectorAll('.post-reports li').map((li) => li.text)).toEqual([
        `Spam: “Ads” — ${reporters[0]?.user.username}, reported 2 minutes ago (open)`,
        `Abuse — ${reporters[1]?.user.username}, reported 1 minute ago (open)`,
      ]);
      expect(before.querySelector('#reports-title + p')?.text).toBe('2 open reports of 2.');
      expect(before.text).toContain('Removing it resolves its 2 open reports.');

      const res = await mod.post(`/posts/${reply}/remove`, { reason: 'spam', note: 'Selling.' });
      expect(res.status).toBe(303);
      const all = await db()
        .select()
        .from(reports)
        .where(eq(reports.postId, reply))
        .orderBy(reports.id);
      expect(all.map((r) => [r.status, r.resolvedById, r.resolutionNote])).toEqual([
        ['resolved', modUser.id, 'Selling.'],
        ['resolved', modUser.id, 'Selling.'],
      ]);
      const removedAt = (await postRow(reply))?.removedAt?.getTime();
      expect(all.every((r) => r.resolvedAt?.getTime() === removedAt)).toBe(true);
      for (const r of all) {
        expect(
          (await logRows('report_resolve', r.id)).map((l) => [
            l.targetType,
            l.moderatorId,
            l.reason,
            l.note,
          ]),
        ).toEqual([['report', modUser.id, r.reason, 'The post was removed.']]);
      }
      expect(await logRows('post_remove', reply)).toHaveLength(1);

      // Gone from the queue; the panel shows them resolved, and the log lists them.
      const queue = await page(await mod.get('/mod'));
      expect(queue.querySelector(`.queue-item h3 a[href="/p/${reply}"]`)).toBeNull();
      expect(queue.text).not.toContain('the post is already removed');
      const after = await page(await mod.get(`/mod/posts/${reply}?done=removed`));
      expect(after.querySelector('#reports-title + p')?.text).toBe('No open reports of 2.');
      expect(
        after.querySelectorAll('.post-reports li').map((li) => li.text.replace(/^.*\(/, '(')),
      ).toEqual(['(resolved less than a minute ago)', '(resolved less than a minute ago)']);
      const log = await page(await mod.get(`/mod/log?target=report:${all[0]?.id}`));
      expect(log.querySelectorAll('table.log tbody tr')).toHaveLength(1);
      expect(log.querySelector('table.log tbody tr')?.text).toContain('The post was removed.');

      // Restored and reported again, the new report is open; the old ones stay resolved.
      expect((await mod.post(`/posts/${reply}/restore`, { note: '' })).status).toBe(303);
      const { a: third } = await person();
      expect(
        (await third.post(`/posts/${reply}/report`, { reason: 'spam', note: '' })).status,
      ).toBe(200);
      const statuses = await db()
        .select({ status: reports.status })
        .from(reports)
        .where(eq(reports.postId, reply))
        .orderBy(reports.id);
      expect(statuses.map((r) => r.status)).toEqual(['resolved', 'resolved', 'open']);
    });

    it('removing a topic resolves the open reports on any of its posts, each logged', async () => {
      const topic = await aTopic('Whole topic with reports', 2);
      const replies = await db()
        .select({ id: posts.id })
        .from(posts)
        .where(eq(posts.topicId, topic.id))
        .orderBy(posts.number);
      const { a: reporter } = await person();
      for (const p of replies) {
        expect(
          (await reporter.post(`/posts/${p.id}/report`, { reason: 'spam', note: '' })).status,
        ).toBe(200);
      }
      // A dismissed report stays dismissed; an open one elsewhere stays open.
      const [dismissed] = await db()
        .select()
        .from(reports)
        .where(eq(reports.postId, replies[0]?.id ?? 0));
      await mod.post(`/mod/reports/${dismissed?.id}/resolve`, { action: 'dismiss', note: '' });
      await reporter.post(`/posts/${replies[0]?.id}/report`, { reason: 'abuse', note: '' });
      const elsewhere = await aTopic('Unrelated reported topic');
      await reporter.post(`/posts/${elsewhere.lastPostId}/report`, { reason: 'spam', note: '' });

      expect((await mod.post(`/t/${topic.id}/remove`, { reason: 'spam', note: '' })).status).toBe(
        303,
      );
      const ofTopic = await db()
        .select({ id: reports.id, status: reports.status })
        .from(reports)
        .innerJoin(posts, eq(posts.id, reports.postId))
        .where(eq(posts.topicId, topic.id))
        .orderBy(reports.id);
      expect(ofTopic.map((r) => r.status)).toEqual([
        'dismissed',
        'resolved',
        'resolved',
        'resolved',
      ]);
      for (const r of ofTopic.slice(1)) {
        expect((await logRows('report_resolve', r.id)).map((l) => l.note)).toEqual([
          'The topic was removed.',
        ]);
      }
      expect(await logRows('report_resolve', dismissed?.id ?? 0)).toHaveLength(0);
      const other = await db()
        .select({ status: reports.status })
        .from(reports)
        .where(eq(reports.postId, elsewhere.lastPostId ?? 0))
        .get();
      expect(other?.status).toBe('open');
    });

    it('nobody reports their own post, visitors and suspended members not at all', async () => {
      const { a, user } = await person();
      await a.post('/f/off-topic', { title: 'My own words here', body: 'Mine.' });
      const mine = await topicByTitle('My own words here');
      expect(
        (await a.post(`/posts/${mine?.firstPostId}/report`, { reason: 'spam', note: '' })).status,
      ).toBe(403);
      expect(
        (
          await agent(forum.request).post(`/posts/${mine?.firstPostId}/report`, {
            reason: 'spam',
            note: '',
          })
        ).status,
      ).toBe(403);
      await db()
        .update(users)
        .set({ suspendedUntil: new Date(forum.deps.now() + DAY), suspendedReason: 'Cooling off' })
        .where(eq(users.id, user.id));
      const other = await topicByTitle('Fresh report topic');
      const res = await a.post(`/posts/${other?.firstPostId}/report`, { reason: 'spam', note: '' });
      expect(res.status).toBe(403);
      expect((await page(res)).querySelector('main')?.text).toContain('suspended until');
      const n = await db()
        .select({ n: count() })
        .from(reports)
        .where(eq(reports.reporterId, user.id))
        .get();
      expect(n?.n).toBe(0);
    });
  });

  describe('the topic page', () => {
    it('offers Report to members, Moderate to moderators, and shows a removal note to its author only', async () => {
      const { a: author } = await person();
      expect(
        (await author.post('/f/off-topic', { title: 'Links on the page', body: 'Original.' }))
          .status,
      ).toBe(303);
      const topic = (await topicByTitle('Links on the page')) as typeof topics.$inferSelect;
      const path = `/t/${topic.id}/${topic.slug}`;
      const postId = topic.firstPostId as number;
      const { a: member } = await person();
      const asMember = await page(await member.get(path));
      expect(
        asMember.querySelector(`#p${postId} a[href="/posts/${postId}/report"]`),
      ).not.toBeNull();
      expect(asMember.querySelector(`#p${postId} a[href="/mod/posts/${postId}"]`)).toBeNull();
      expect(asMember.querySelector('.moderate-link')).toBeNull();
      const asAuthor = await page(await author.get(path));
      expect(asAuthor.querySelector(`#p${postId} a[href="/posts/${postId}/report"]`)).toBeNull();
      const asMod = await page(await mod.get(path));
      expect(asMod.querySelector(`#p${postId} a[href="/mod/posts/${postId}"]`)).not.toBeNull();
      expect(asMod.querySelector('.moderate-link a')?.getAttribute('href')).toBe(
        `/mod/topics/${topic.id}`,
      );

      await mod.post(`/posts/${postId}/remove`, {
        reason: 'other',
        note: 'Please keep it on topic.',
      });
      const note = (p: Awaited<ReturnType<typeof page>>) =>
        p.querySelector(`#p${postId} .removal-note`)?.text;
      expect(note(await page(await author.get(path)))).toContain('Please keep it on topic.');
      expect(note(await page(await member.get(path)))).toBeUndefined();
      expect(note(await page(await agent(forum.request).get(path)))).toBeUndefined();
    });
  });

  describe('posts', () => {
    it('removal shows a placeholder to the public, the note to the author; restore brings it back', async () => {
      const topic = await aTopic('Removal placeholder topic', 1, 'hummingbird');
      const reply = topic.lastPostId as number;
      const res = await mod.post(`/posts/${reply}/remove`, {
        reason: 'personal_data',
        note: 'Your phone number was in it.',
      });
      expect(res.status).toBe(303);
      const publicView = await page(await agent(forum.request).get(`/t/${topic.id}/${topic.slug}`));
      expect(publicView.querySelector(`#p${reply} .post-placeholder`)?.text).toBe(
        'Removed by a moderator (personal data).',
      );
      expect(publicView.text).not.toContain('hummingbird');
      expect(await search('hummingbird')).toEqual([]);
      const row = await postRow(reply);
      expect(row).toMatchObject({
        removedById: modUser.id,
        removedReason: 'personal_data',
        removedNote: 'Your phone number was in it.',
      });
      expect((await mod.post(`/posts/${reply}/remove`, { reason: 'spam', note: '' })).status).toBe(
        409,
      );

      expect((await mod.post(`/posts/${reply}/restore`, { note: 'Mistake' })).status).toBe(303);
      expect((await postRow(reply))?.removedAt).toBeNull();
      expect((await search('hummingbird')).map((r) => r.rowid)).toEqual([reply]);
      expect(await logRows('post_remove', reply)).toHaveLength(1);
      expect(await logRows('post_restore', reply)).toHaveLength(1);
    });

    it('spam is shown collapsed: readers get one closed line with nothing of the post inside', async () => {
      const { a: author, user } = await person();
      const topic = await aTopic('Collapsed spam topic', 0);
      await author.post(`/t/${topic.id}/replies`, { body: 'Buy kingfisherwatches now.' });
      const reply = (await topicByTitle('Collapsed spam topic'))?.lastPostId as number;
      expect(
        (await mod.post(`/posts/${reply}/remove`, { reason: 'spam', note: 'Advertising.' })).status,
      ).toBe(303);
      const path = `/t/${topic.id}/${topic.slug}`;
      for (const reader of [agent(forum.request), (await person()).a]) {
        const doc = await page(await reader.get(path));
        const article = doc.querySelector(`#p${reply}`);
        const details = article?.querySelector('details.post-collapsed');
        expect(details?.hasAttribute('open')).toBe(false);
        expect(details?.querySelector('summary')?.text).toBe('Post removed as spam');
        expect(details?.childNodes.filter((n) => n.text.trim() !== '')).toHaveLength(1);
        expect(article?.text.trim()).toBe('Post removed as spam');
        expect(doc.text).not.toContain('kingfisherwatches');
        expect(article?.text).not.toContain(user.username);
      }
      // Its author sees the note inside, a moderator the way to restore it.
      const own = (await page(await author.get(path))).querySelector(`#p${reply} details`);
      expect(own?.querySelector('.removal-note')?.text).toContain('Advertising.');
      const staff = (await page(await mod.get(path))).querySelector(`#p${reply} details`);
      expect(staff?.querySelector(`a[href="/mod/posts/${reply}"]`)).not.toBeNull();
    });

    it('needs a reason from the list', async () => {
      const topic = await aTopic('Reasonless removal');
      const res = await mod.post(`/posts/${topic.lastPostId}/remove`, { reason: '', note: '' });
      expect(res.status).toBe(422);
      expect((await postRow(topic.lastPostId as number))?.removedAt).toBeNull();
    });
  });

  describe('topics', () => {
    it('lock, unlock, pin and unpin, each logged', async () => {
      const topic = await aTopic('Flag changing topic', 0);
      for (const [change, column, value] of [
        ['lock', 'locked', true],
        ['pin', 'pinned', true],
        ['unlock', 'locked', false],
        ['unpin', 'pinned', false],
      ] as const) {
        const res = await mod.post(`/t/${topic.id}/${change}`, { note: '' });
        expect(res.status, change).toBe(303);
        expect((await topicRow(topic.id))?.[column]).toBe(value);
        expect(await logRows(`topic_${change}`, topic.id)).toHaveLength(1);
      }
      expect((await mod.post(`/t/${topic.id}/unlock`, {})).status).toBe(409);
    });

    it('move to another forum keeps the address and the counters right', async () => {
      const topic = await aTopic('Moving topic here', 2);
      const counts = async () =>
        Object.fromEntries(
          (await db().select().from(forums)).map((f) => [f.slug, [f.topicCount, f.postCount]]),
        );
      const before = await counts();
      expect((await mod.post(`/t/${topic.id}/move`, { forum: 'no-such-forum' })).status).toBe(422);
      const res = await mod.post(`/t/${topic.id}/move`, { forum: 'marketplace-help' });
      expect(res.status).toBe(303);
      const after = await counts();
      expect(after['off-topic']).toEqual([
        (before['off-topic']?.[0] ?? 0) - 1,
        (before['off-topic']?.[1] ?? 0) - 3,
      ]);
      expect(after['marketplace-help']).toEqual([
        (before['marketplace-help']?.[0] ?? 0) + 1,
        (before['marketplace-help']?.[1] ?? 0) + 3,
      ]);
      const moved = await agent(forum.request).get(`/t/${topic.id}/${topic.slug}`);
      expect(moved.status).toBe(200);
      expect(
        (await page(moved)).querySelector('.breadcrumbs a[href="/f/marketplace-help"]'),
      ).not.toBeNull();
      const help = await db()
        .select()
        .from(forums)
        .where(eq(forums.slug, 'marketplace-help'))
        .get();
      expect(help?.lastTopicId).toBe(topic.id);
      expect((await logRows('topic_move', topic.id))[0]?.note).toBe(
        'off-topic -> marketplace-help',
      );
    });

    it('remove takes the topic out of its forum (404 for the public); restore brings it back', async () => {
      const topic = await aTopic('Removed whole topic', 1);
      const offTopic = async () =>
        db().select().from(forums).where(eq(forums.slug, 'off-topic')).get();
      const before = await offTopic();
      expect((await mod.post(`/t/${topic.id}/remove`, { reason: 'spam', note: '' })).status).toBe(
        303,
      );
      expect((await agent(forum.request).get(`/t/${topic.id}/${topic.slug}`)).status).toBe(404);
      const list = await page(await agent(forum.request).get('/f/off-topic'));
      expect(list.text).not.toContain('Removed whole topic');
      expect((await offTopic())?.topicCount).toBe((before?.topicCount ?? 0) - 1);
      expect((await offTopic())?.lastTopicId).not.toBe(topic.id);
      expect((await mod.get(`/mod/topics/${topic.id}`)).status).toBe(200);
      expect((await mod.post(`/t/${topic.id}/restore`, { note: '' })).status).toBe(303);
      expect((await agent(forum.request).get(`/t/${topic.id}/${topic.slug}`)).status).toBe(200);
      expect((await offTopic())?.topicCount).toBe(before?.topicCount);
    });
  });

  describe('members', () => {
    it('a suspended member can read but not post, and is told why and until when; the suspension lifts', async () => {
      const { a, user } = await person();
      const bad = await mod.post(`/u/${user.username}/suspend`, { until: 'next week', reason: '' });
      expect(bad.status).toBe(422);
      const past = await mod.post(`/u/${user.username}/suspend`, {
        until: '2020-01-01',
        reason: 'Too late',
      });
      expect(past.status).toBe(422);
      const until = new Date(forum.deps.now() + 3 * DAY).toISOString().slice(0, 10);
      expect(
        (await mod.post(`/u/${user.username}/suspend`, { until, reason: 'Repeated insults' }))
          .status,
      ).toBe(303);
      const row = await db().select().from(users).where(eq(users.id, user.id)).get();
      expect(row?.suspendedReason).toBe('Repeated insults');
      expect(row?.suspendedUntil?.toISOString().slice(0, 10)).toBe(
        new Date(Date.parse(`${until}T00:00:00Z`) + DAY).toISOString().slice(0, 10),
      );
      expect((await a.get('/f/off-topic')).status).toBe(200);
      const refused = await a.post('/f/off-topic', { title: 'While suspended', body: 'Hello?' });
      expect(refused.status).toBe(403);
      const text = (await page(refused)).querySelector('main')?.text ?? '';
      expect(text).toContain('Repeated insults');
      expect(text).toContain(`suspended until`);
      expect(await logRows('user_suspend', user.id)).toHaveLength(1);

      expect((await mod.post(`/u/${user.username}/unsuspend`, { note: '' })).status).toBe(303);
      forum.clock.advance(6_000);
      expect(
        (await a.post('/f/off-topic', { title: 'After the suspension', body: 'Back.' })).status,
      ).toBe(303);
    });

    it('suspension presets beside the date: 1 day, 1 week, 1 month, permanently, without script', async () => {
      const { user } = await person();
      const panel = await page(await mod.get(`/mod/users/${user.username}`));
      const form = panel.querySelector(`form[action="/u/${user.username}/suspend"]`);
      expect(
        form
          ?.querySelectorAll('input[type="radio"][name="preset"]')
          .map((i) => i.getAttribute('value')),
      ).toEqual(['1d', '1w', '1m', 'permanent', 'date']);
      expect(
        form?.querySelector('input[name="preset"][value="date"]')?.hasAttribute('checked'),
      ).toBe(true);
      const suspendedUntil = async () =>
        (await db().select().from(users).where(eq(users.id, user.id)).get())?.suspendedUntil;

      const bogus = await mod.post(`/u/${user.username}/suspend`, {
        preset: '2y',
        reason: 'Spam',
      });
      expect(bogus.status).toBe(422);
      expect((await page(bogus)).querySelector('#preset-error')).not.toBeNull();
      const noDay = await mod.post(`/u/${user.username}/suspend`, {
        preset: 'date',
        until: '',
        reason: 'Spam',
      });
      expect(noDay.status).toBe(422);
      const again = await page(noDay);
      expect(again.querySelector('#until-error')?.text).toContain('choose a length');
      expect(again.querySelector('#reason')?.getAttribute('value')).toBe('Spam');
      expect(await suspendedUntil()).toBeNull();

      const week = await mod.post(`/u/${user.username}/suspend`, {
        preset: '1w',
        until: '',
        reason: 'Cooling off',
      });
      expect(week.status).toBe(303);
      expect((await suspendedUntil())?.getTime()).toBe(forum.deps.now() + 7 * DAY);
      const [entry] = await logRows('user_suspend', user.id);
      expect(entry?.note).toMatch(/^for 1 week \(until \d{4}-\d{2}-\d{2}\)$/);

      expect((await mod.post(`/u/${user.username}/unsuspend`, { note: '' })).status).toBe(303);
      const day = await mod.post(`/u/${user.username}/suspend`, { preset: '1d', reason: 'Again' });
      expect(day.status).toBe(303);
      expect((await suspendedUntil())?.getTime()).toBe(forum.deps.now() + DAY);

      expect((await mod.post(`/u/${user.username}/unsuspend`, { note: '' })).status).toBe(303);
      const month = await mod.post(`/u/${user.username}/suspend`, { preset: '1m', reason: 'More' });
      expect(month.status).toBe(303);
      expect((await suspendedUntil())?.getTime()).toBe(forum.deps.now() + 30 * DAY);

      expect((await mod.post(`/u/${user.username}/unsuspend`, { note: '' })).status).toBe(303);
      const ever = await mod.post(`/u/${user.username}/suspend`, {
        preset: 'permanent',
        reason: 'For good',
      });
      expect(ever.status).toBe(303);
      expect((await suspendedUntil())?.getUTCFullYear()).toBe(9999);
      const shown = await page(await mod.get(`/mod/users/${user.username}`));
      expect(shown.querySelector('#suspension-title + p')?.text).toContain('Suspended permanently');
    });

    it('a reason or note with control or bidirectional characters is refused: 422, nothing written', async () => {
      const { user } = await person();
      const until = new Date(forum.deps.now() + 3 * DAY).toISOString().slice(0, 10);
      const suspend = await mod.post(`/u/${user.username}/suspend`, {
        until,
        reason: 'Insults \u202eten.live',
      });
      expect(suspend.status).toBe(422);
      expect((await page(suspend)).querySelector('#reason-error')?.text).toMatch(
        /invisible control characters/,
      );
      const topic = await aTopic('Notes with hidden characters');
      const { a: reporter } = await person();
      const report = await reporter.post(`/posts/${topic.lastPostId}/report`, {
        reason: 'spam',
        note: 'See\u0000 this',
      });
      expect(report.status).toBe(422);
      expect((await page(report)).querySelector('#note-error')?.text).toMatch(
        /invisible control characters/,
      );
      const remove = await mod.post(`/posts/${topic.lastPostId}/remove`, {
        reason: 'spam',
        note: 'Line one\r\n\u2066line two',
      });
      expect(remove.status).toBe(422);
      expect(
        (await db().select().from(users).where(eq(users.id, user.id)).get())?.suspendedUntil,
      ).toBeNull();
      expect(
        await db()
          .select()
          .from(reports)
          .where(eq(reports.postId, topic.lastPostId as number)),
      ).toEqual([]);
      expect((await postRow(topic.lastPostId as number))?.removedAt).toBeNull();
      // Line breaks are fine in a note.
      expect(
        (
          await mod.post(`/posts/${topic.lastPostId}/remove`, {
            reason: 'spam',
            note: 'Line one\r\nline two',
          })
        ).status,
      ).toBe(303);
      expect((await postRow(topic.lastPostId as number))?.removedNote).toBe('Line one\nline two');
    });

    it('moderators do not suspend moderators or admins; admins suspend moderators', async () => {
      const { user: otherMod } = await person('moderator');
      const { user: admin } = await person('admin');
      const until = new Date(forum.deps.now() + 3 * DAY).toISOString().slice(0, 10);
      expect(
        (await mod.post(`/u/${otherMod.username}/suspend`, { until, reason: 'x' })).status,
      ).toBe(403);
      expect((await mod.post(`/u/${admin.username}/suspend`, { until, reason: 'x' })).status).toBe(
        403,
      );
      expect(
        (await mod.post(`/u/${modUser.username}/suspend`, { until, reason: 'x' })).status,
      ).toBe(403);
      const { a: adminAgent } = await person('admin');
      expect(
        (await adminAgent.post(`/u/${otherMod.username}/suspend`, { until, reason: 'Holiday' }))
          .status,
      ).toBe(303);
    });
  });

  describe('posts held for approval', () => {
    it('a held member\u2019s reply is seen by them and moderators only, and counts once approved', async () => {
      const { a, user } = await person();
      expect(
        (await mod.post(`/u/${user.username}/hold-posts`, { note: 'New and spammy' })).status,
      ).toBe(303);
      expect(await logRows('user_hold_posts', user.id)).toHaveLength(1);
      const topic = (await topicByTitle(
        'What are you working on this week?',
      )) as typeof topics.$inferSelect;
      const path = `/t/${topic.id}/${topic.slug}`;
      const before = {
        topic,
        forum: await db().select().from(forums).where(eq(forums.id, topic.forumId)).get(),
      };
      const res = await a.post(`/t/${topic.id}/replies`, { body: 'A held reply about axolotls.' });
      expect(res.status).toBe(303);
      const held = await db().select().from(posts).where(eq(posts.userId, user.id)).get();
      expect(held?.state).toBe('held');
      expect(await search('axolotls')).toEqual([]);
      const after = await topicRow(topic.id);
      expect(after).toMatchObject({ postCount: topic.postCount, lastPostId: topic.lastPostId });
      expect(after?.highestNumber).toBe(topic.highestNumber + 1);
      expect(
        (await page(await a.get(path))).querySelector(`#p${held?.id} .held-mark`),
      ).not.toBeNull();
      expect(
        (await page(await agent(forum.request).get(path))).querySelector(`#p${held?.id}`),
      ).toBeNull();
      expect((await agent(forum.request).get(`/p/${held?.id}`)).status).toBe(404);
      const queue = await page(await mod.get('/mod'));
      expect(queue.querySelector(`form[action="/posts/${held?.id}/approve"]`)).not.toBeNull();

      expect((await mod.post(`/posts/${held?.id}/approve`)).status).toBe(303);
      expect((await postRow(held?.id as number))?.state).toBe('visible');
      const approved = await topicRow(topic.id);
      expect(approved).toMatchObject({
        postCount: topic.postCount + 1,
        lastPostId: held?.id,
        lastPosterId: user.id,
      });
      const forumAfter = await db().select().from(forums).where(eq(forums.id, topic.forumId)).get();
      expect(forumAfter?.postCount).toBe((before.forum?.postCount ?? 0) + 1);
      expect((await search('axolotls')).map((r) => r.rowid)).toEqual([held?.id]);
      expect(
        (await page(await agent(forum.request).get(path))).querySelector(`#p${held?.id}`),
      ).not.toBeNull();
      expect(await logRows('post_approve', held?.id as number)).toHaveLength(1);
      expect((await mod.post(`/posts/${held?.id}/approve`)).status).toBe(409);
    });

    it('a held member\u2019s posts stay off their public profile until approved', async () => {
      const topic = await aTopic('Profile of a held member', 0);
      const { a, user } = await person();
      forum.clock.advance(6_000);
      const published = await a.post(`/t/${topic.id}/replies`, { body: 'Published pelican.' });
      expect(published.status).toBe(303);
      expect((await mod.post(`/u/${user.username}/hold-posts`, { note: '' })).status).toBe(303);
      forum.clock.advance(6_000);
      expect((await a.post(`/t/${topic.id}/replies`, { body: 'Held cormorant.' })).status).toBe(
        303,
      );
      const held = await db()
        .select()
        .from(posts)
        .where(and(eq(posts.userId, user.id), eq(posts.state, 'held')))
        .get();
      expect(held).toBeDefined();
      /** the posts the profile lists, as the links to them, for whoever looks */
      const listed = async (who: Agent) => {
        const res = await who.get(`/u/${user.username}`);
        expect(res.status).toBe(200);
        return (await page(res))
          .querySelectorAll('.profile-posts h3 a')
          .map((link) => link.getAttribute('href'));
      };
      const publishedId = (
        await db()
          .select()
          .from(posts)
          .where(and(eq(posts.userId, user.id), eq(posts.state, 'visible')))
          .get()
      )?.id;
      // Not for visitors, not for the author, not for moderators: a profile is one public list.
      for (const who of [agent(forum.request), a, mod]) {
        expect(await listed(who)).toEqual([`/p/${publishedId}`]);
      }
      expect((await mod.post(`/posts/${held?.id}/approve`)).status).toBe(303);
      expect(await listed(agent(forum.request))).toEqual([`/p/${held?.id}`, `/p/${publishedId}`]);
    });

    it('a held new topic stays out of the forum until approved; refused, it is removed', async () => {
      const { a, user, topic } = await aHeldTopic('Held new topic');
      const list = async () => (await page(await agent(forum.request).get('/f/off-topic'))).text;
      expect(await list()).not.toContain('Held new topic');
      expect((await agent(forum.request).get(`/t/${topic.id}/${topic.slug}`)).status).toBe(404);
      expect((await a.get(`/t/${topic.id}/${topic.slug}`)).status).toBe(200);
      expect((await mod.post(`/posts/${topic.firstPostId}/approve`)).status).toBe(303);
      expect((await topicRow(topic.id))?.state).toBe('visible');
      expect(await list()).toContain('Held new topic');

      forum.clock.advance(6_000);
      await a.post('/f/off-topic', { title: 'Refused new topic', body: 'Buy cheap watches.' });
      const refused = (await topicByTitle('Refused new topic')) as typeof topics.$inferSelect;
      expect(
        (await mod.post(`/posts/${refused.firstPostId}/reject`, { reason: 'spam' })).status,
      ).toBe(303);
      expect((await topicRow(refused.id))?.removedAt).not.toBeNull();
      expect((await postRow(refused.firstPostId as number))?.removedReason).toBe('spam');
      await mod.post(`/u/${user.username}/release-posts`, { note: '' });
      forum.clock.advance(6_000);
      await a.post('/f/off-topic', { title: 'Published at once again', body: 'Free again.' });
      expect((await topicByTitle('Published at once again'))?.state).toBe('visible');
    });
  });

  describe('edits waiting for approval', () => {
    /** A member with a published topic, whose posts a moderator then holds. */
    async function heldAuthor(title: string, body: string) {
      const { a, user } = await person();
      forum.clock.advance(6_000);
      expect((await a.post('/f/off-topic', { title, body })).status).toBe(303);
      const topic = (await topicByTitle(title)) as typeof topics.$inferSelect;
      expect((await mod.post(`/u/${user.username}/hold-posts`, { note: '' })).status).toBe(303);
      return { a, user, topic, postId: topic.firstPostId as number };
    }
    const pathOf = (t: typeof topics.$inferSelect) => `/t/${t.id}/${t.slug}`;
    const shown = async (who: Agent, t: typeof topics.$inferSelect, postId: number) =>
      (await page(await who.get(pathOf(t)))).querySelector(`#p${postId}`);
    const waiting = (postId: number) =>
      db().select().from(pendingEdits).where(eq(pendingEdits.postId, postId)).get();

    it('a held member\u2019s edit of a published post waits: readers and search keep the published text', async () => {
      const { a, topic, postId } = await heldAuthor(
        'Old visible topic',
        'Originally about marmosets.',
      );
      const res = await a.post(`/posts/${postId}`, { body: 'Now about quokkas instead.' });
      expect(res.status).toBe(303);
      const visitor = agent(forum.request);
      const seen = await shown(visitor, topic, postId);
      expect(seen?.querySelector('.post-body')?.text.trim()).toBe('Originally about marmosets.');
      expect(seen?.querySelector('.pending-edit-mark')).toBeNull();
      const own = await shown(a, topic, postId);
      expect(own?.querySelector('.post-body')?.text.trim()).toBe('Now about quokkas instead.');
      expect(own?.querySelector('.pending-edit-mark')?.text).toMatch(/waiting for a moderator/);
      expect((await shown(mod, topic, postId))?.querySelector('.pending-edit-mark')).not.toBeNull();
      expect(await postRow(postId)).toMatchObject({
        bodyMarkdown: 'Originally about marmosets.',
        revisionCount: 0,
        editedAt: null,
      });
      expect((await search('marmosets')).map((r) => r.rowid)).toEqual([postId]);
      expect(await search('quokkas')).toEqual([]);
      const form = await page(await a.get(`/posts/${postId}/edit`));
      expect(form.querySelector('#body')?.text.trim()).toBe('Now about quokkas instead.');
      expect(form.querySelector('.notice')?.text).toMatch(/waits for a moderator/);
      // Editing again replaces the edit that waits; back to the published text withdraws it.
      await a.post(`/posts/${postId}`, { body: 'Now about wombats instead.' });
      expect((await waiting(postId))?.bodyMarkdown).toBe('Now about wombats instead.');
      expect(
        await db().select().from(pendingEdits).where(eq(pendingEdits.postId, postId)),
      ).toHaveLength(1);
      await a.post(`/posts/${postId}`, { body: 'Originally about marmosets.' });
      expect(await waiting(postId)).toBeUndefined();
      expect((await shown(a, topic, postId))?.querySelector('.pending-edit-mark')).toBeNull();
    });

    it('appears in the queue with the held posts; approved, it replaces the text, kept in the history', async () => {
      const { a, user, topic, postId } = await heldAuthor(
        'Approved edit topic',
        'Before: pangolins.',
      );
      forum.clock.advance(60_000);
      await a.post(`/posts/${postId}`, { body: 'After: armadillos.' });
      const edit = (await waiting(postId)) as typeof pendingEdits.$inferSelect;
      const queue = await page(await mod.get('/mod'));
      const item = queue
        .querySelectorAll('.queue-edits .queue-item')
        .find((li) => li.querySelector(`form[action="/edits/${edit.id}/approve"]`));
      expect(item?.querySelector('.edit-before')?.text).toContain('pangolins');
      expect(item?.querySelector('.edit-after')?.text).toContain('armadillos');
      expect(
        item?.querySelector(`form[action="/edits/${edit.id}/reject"] select[name=reason]`),
      ).not.toBeNull();
      expect(item?.text).toContain(user.username);
      forum.clock.advance(60_000);
      const res = await mod.post(`/edits/${edit.id}/approve`);
      expect(res.status).toBe(303);
      expect(location(res)).toBe('/mod?done=edit-approved');
      expect(await postRow(postId)).toMatchObject({
        bodyMarkdown: 'After: armadillos.',
        revisionCount: 1,
      });
      expect((await postRow(postId))?.editedAt?.getTime()).toBe(edit.createdAt.getTime());
      const revisions = await db()
        .select()
        .from(postRevisions)
        .where(eq(postRevisions.postId, postId));
      expect(revisions.map((r) => [r.bodyMarkdown, r.editorId])).toEqual([
        ['Before: pangolins.', user.id],
      ]);
      expect(await waiting(postId)).toBeUndefined();
      expect((await search('armadillos')).map((r) => r.rowid)).toEqual([postId]);
      expect(await search('pangolins')).toEqual([]);
      const seen = await shown(agent(forum.request), topic, postId);
      expect(seen?.querySelector('.post-body')?.text.trim()).toBe('After: armadillos.');
      expect(await logRows('post_edit_approve', postId)).toHaveLength(1);
      expect((await mod.post(`/edits/${edit.id}/approve`)).status).toBe(409);
    });

    it('refused, the published text stays and the edit goes', async () => {
      const { a, topic, postId } = await heldAuthor(
        'Refused edit topic',
        'Honest review of the app.',
      );
      await a.post(`/posts/${postId}`, { body: 'Buy cheap watches at my shop.' });
      const edit = (await waiting(postId)) as typeof pendingEdits.$inferSelect;
      const res = await mod.post(`/edits/${edit.id}/reject`, { reason: 'spam' });
      expect(res.status).toBe(303);
      expect(await waiting(postId)).toBeUndefined();
      expect(await postRow(postId)).toMatchObject({
        bodyMarkdown: 'Honest review of the app.',
        revisionCount: 0,
      });
      const own = await shown(a, topic, postId);
      expect(own?.querySelector('.post-body')?.text.trim()).toBe('Honest review of the app.');
      expect((await logRows('post_edit_reject', postId))[0]?.reason).toBe('spam');
      expect((await mod.post(`/edits/${edit.id}/reject`, { reason: 'spam' })).status).toBe(409);
    });

    it('an edit with a watched word of the "hold" kind waits too, by anyone', async () => {
      await db()
        .insert(watchedWords)
        .values({ word: 'timeshare', action: 'hold', createdAt: new Date(forum.deps.now()) });
      const { a } = await person();
      forum.clock.advance(6_000);
      await a.post('/f/off-topic', { title: 'Holiday plans here', body: 'Going to the coast.' });
      const topic = (await topicByTitle('Holiday plans here')) as typeof topics.$inferSelect;
      const postId = topic.firstPostId as number;
      const res = await a.post(`/posts/${postId}`, { body: 'Going to my time<b></b>share.' });
      expect(res.status).toBe(303);
      expect((await waiting(postId))?.bodyMarkdown).toBe('Going to my time<b></b>share.');
      expect((await postRow(postId))?.bodyMarkdown).toBe('Going to the coast.');
      // Without the word, an edit of the same member is published at once.
      await a.post(`/posts/${postId}`, { body: 'Going to the mountains.' });
      expect((await postRow(postId))?.bodyMarkdown).toBe('Going to the mountains.');
      expect(await waiting(postId)).toBeUndefined();
    });

    it('members and visitors cannot approve or refuse edits, and deleting the post drops its edit', async () => {
      const { a, postId } = await heldAuthor('Unapprovable edit', 'Plain first words.');
      await a.post(`/posts/${postId}`, { body: 'Plain second words.' });
      const edit = (await waiting(postId)) as typeof pendingEdits.$inferSelect;
      const { a: member } = await person();
      for (const who of [member, agent(forum.request), a]) {
        expect((await who.post(`/edits/${edit.id}/approve`)).status).toBe(403);
        expect((await who.post(`/edits/${edit.id}/reject`, { reason: 'spam' })).status).toBe(403);
      }
      expect(await waiting(postId)).toBeDefined();
      expect((await a.post(`/posts/${postId}/delete`)).status).toBe(303);
      expect(await waiting(postId)).toBeUndefined();
      expect((await mod.post(`/edits/${edit.id}/approve`)).status).toBe(409);
    });
  });

  describe('watched words', () => {
    it('block a post with a message, or hold it for approval', async () => {
      await db()
        .insert(watchedWords)
        .values([
          { word: 'cheap pills', action: 'block', createdAt: new Date(forum.deps.now()) },
          { word: 'crypto', action: 'hold', createdAt: new Date(forum.deps.now()) },
        ]);
      const { a } = await person();
      const before = await db().select({ n: count() }).from(posts).get();
      const blocked = await a.post('/f/off-topic', {
        title: 'Great offer',
        body: 'Buy CHEAP   pills here',
      });
      expect(blocked.status).toBe(422);
      expect((await page(blocked)).querySelector('#body-error')?.text).toContain('cheap pills');
      expect((await db().select({ n: count() }).from(posts).get())?.n).toBe(before?.n);
      forum.clock.advance(6_000);
      expect(
        (await a.post('/f/off-topic', { title: 'Crypto question', body: 'Is this legit?' })).status,
      ).toBe(303);
      expect((await topicByTitle('Crypto question'))?.state).toBe('held');
    });

    it('are not hidden by markup: entities, emphasis, empty tags, links or comments inside them', async () => {
      await db()
        .insert(watchedWords)
        .values([
          { word: 'blockedword', action: 'block', createdAt: new Date(forum.deps.now()) },
          { word: 'heldword', action: 'hold', createdAt: new Date(forum.deps.now()) },
        ]);
      const { a } = await person();
      const before = await db().select({ n: count() }).from(posts).get();
      for (const body of [
        'b&#108;ockedword',
        'blocked**word**',
        'block<i></i>edword',
        '[block](#)edword',
        'blocked<!-- -->word',
      ]) {
        const res = await a.post('/f/off-topic', { title: 'Sneaky words', body });
        expect(res.status, body).toBe(422);
        expect((await page(res)).querySelector('#body-error')?.text).toContain('blockedword');
      }
      expect((await db().select({ n: count() }).from(posts).get())?.n).toBe(before?.n);
      forum.clock.advance(6_000);
      expect(
        (await a.post('/f/off-topic', { title: 'Sneaky held words', body: 'held**word**' })).status,
      ).toBe(303);
      expect((await topicByTitle('Sneaky held words'))?.state).toBe('held');
    });
  });

  describe('answers', () => {
    it('a removed reply stops being the accepted answer', async () => {
      const { a: asker } = await person();
      expect(
        (
          await asker.post('/f/off-topic', {
            title: 'Which cable do I need?',
            body: 'Help!',
            kind: 'question',
          })
        ).status,
      ).toBe(303);
      const topic = (await topicByTitle('Which cable do I need?')) as typeof topics.$inferSelect;
      const { a: helper } = await person();
      await helper.post(`/t/${topic.id}/replies`, { body: 'The blue one.' });
      const answer = (await topicRow(topic.id))?.lastPostId as number;
      expect((await asker.post(`/posts/${answer}/accept`)).status).toBe(303);
      expect((await topicRow(topic.id))?.acceptedPostId).toBe(answer);
      await mod.post(`/posts/${answer}/remove`, { reason: 'off_topic', note: '' });
      expect((await topicRow(topic.id))?.acceptedPostId).toBeNull();
    });
  });

  describe('the moderation log', () => {
    it('lists actions newest first, filterable by moderator, action and target', async () => {
      const all = await page(await mod.get('/mod/log'));
      expect(all.querySelectorAll('table.log tbody tr').length).toBeGreaterThan(5);
      const byAction = await page(await mod.get('/mod/log?action=topic_move'));
      const rows = byAction.querySelectorAll('table.log tbody tr');
      expect(rows.length).toBe(1);
      expect(rows[0]?.text).toContain(modUser.username);
      const byModerator = await page(
        await mod.get(`/mod/log?moderator=${modUser.username}&action=post_remove`),
      );
      // Every removal this moderator made in the suite, and nothing else (another moderator's
      // removals and this one's other actions are in the log too).
      const removals = await db()
        .select({ n: count() })
        .from(moderationLog)
        .where(
          and(eq(moderationLog.moderatorId, modUser.id), eq(moderationLog.action, 'post_remove')),
        )
        .get();
      expect(removals?.n).toBeGreaterThanOrEqual(3);
      const others = await db().select({ n: count() }).from(moderationLog).get();
      expect(others?.n).toBeGreaterThan(removals?.n ?? 0);
      expect(byModerator.querySelectorAll('table.log tbody tr').length).toBe(removals?.n);
      expect(
        byModerator
          .querySelectorAll('table.log tbody tr')
          .every((tr) => tr.text.includes('post remove')),
      ).toBe(true);
      const topic = await topicByTitle('Flag changing topic');
      const byTarget = await page(await mod.get(`/mod/log?target=topic:${topic?.id}`));
      expect(byTarget.querySelectorAll('table.log tbody tr').length).toBe(4);
      const badTarget = await mod.get('/mod/log?target=everything');
      expect(badTarget.status).toBe(400);
      expect((await page(badTarget)).querySelector('.error-message')?.text).toMatch(/post:12/);
    });
  });

  describe('what the public sees', () => {
    /**
     * A forum's counters and latest topic, and what they must be: worked out here, from the
     * topics the public may see in it (approved and not removed).
     */
    async function forumFacts(slug: string) {
      const f = await db().select().from(forums).where(eq(forums.slug, slug)).get();
      if (!f) throw new Error(`no forum ${slug}`);
      const shown = await db()
        .select()
        .from(topics)
        .where(and(eq(topics.forumId, f.id), eq(topics.state, 'visible'), isNull(topics.removedAt)))
        .orderBy(desc(topics.lastPostAt), desc(topics.id));
      return {
        actual: { topics: f.topicCount, posts: f.postCount, latest: f.lastTopicId },
        expected: {
          topics: shown.length,
          posts: shown.reduce((n, t) => n + t.postCount, 0),
          latest: shown[0]?.id ?? null,
        },
      };
    }
    const latestOnIndex = async (slug: string) =>
      (await page(await agent(forum.request).get('/')))
        .querySelectorAll('.forum-item')
        .find((li) => li.querySelector('.forum-name a')?.getAttribute('href') === `/f/${slug}`)
        ?.querySelector('.forum-latest')?.text ?? '';

    it('a held topic is never a forum’s latest activity nor counted, whatever moderators do around it', async () => {
      const neighbour = await aTopic('Neighbour of a held topic', 1);
      const { topic: secret } = await aHeldTopic('Secret held title');
      // Each of these works out the forums' counters and latest activity again.
      const steps: [string, Record<string, string>][] = [
        [`/t/${neighbour.id}/remove`, { reason: 'spam' }],
        [`/t/${neighbour.id}/restore`, {}],
        [`/t/${neighbour.id}/move`, { forum: 'marketplace-help' }],
        [`/t/${neighbour.id}/move`, { forum: 'off-topic' }],
        [`/t/${secret.id}/move`, { forum: 'marketplace-help' }],
        [`/t/${secret.id}/move`, { forum: 'off-topic' }],
        [`/t/${secret.id}/remove`, { reason: 'spam' }],
        [`/t/${secret.id}/restore`, {}],
      ];
      for (const [path, fields] of steps) {
        expect((await mod.post(path, fields)).status, path).toBe(303);
        for (const slug of ['off-topic', 'marketplace-help']) {
          const facts = await forumFacts(slug);
          expect(facts.actual, `${slug} after ${path}`).toEqual(facts.expected);
          expect(await latestOnIndex(slug), `${slug} after ${path}`).not.toContain('Secret');
        }
      }
      // Approved, it is the latest, and counts.
      expect((await mod.post(`/posts/${secret.firstPostId}/approve`)).status).toBe(303);
      const facts = await forumFacts('off-topic');
      expect(facts.actual).toEqual(facts.expected);
      expect(facts.actual.latest).toBe(secret.id);
      expect(await latestOnIndex('off-topic')).toContain('Secret held title');
    });

    it('the search index holds exactly the public posts of a topic, through removing and restoring it', async () => {
      const { a: author } = await person();
      const { a: held, user: heldUser } = await person();
      await mod.post(`/u/${heldUser.username}/hold-posts`, { note: '' });
      forum.clock.advance(6_000);
      await author.post('/f/off-topic', {
        title: 'Thread about quokkas',
        body: 'Opening words on quokkas.',
      });
      const topic = (await topicByTitle('Thread about quokkas')) as typeof topics.$inferSelect;
      const reply = async (a: Agent, body: string) => {
        forum.clock.advance(6_000);
        expect((await a.post(`/t/${topic.id}/replies`, { body })).status).toBe(303);
        const row = await db()
          .select({ id: posts.id })
          .from(posts)
          .where(and(eq(posts.topicId, topic.id), eq(posts.bodyMarkdown, body)))
          .get();
        return row?.id as number;
      };
      const kept = await reply(author, 'Quokkas kept.');
      const removed = await reply(author, 'Quokkas removed by a moderator.');
      const deleted = await reply(author, 'Quokkas deleted by their author.');
      const waiting = await reply(held, 'Quokkas held for approval.');
      await mod.post(`/posts/${removed}/remove`, { reason: 'off_topic', note: '' });
      expect((await author.post(`/posts/${deleted}/delete`)).status).toBe(303);
      const first = topic.firstPostId as number;
      const indexed = async () =>
        (await search('quokkas')).map((r) => r.rowid).sort((x, y) => x - y);
      expect(await indexed()).toEqual([first, kept]);

      expect((await mod.post(`/t/${topic.id}/remove`, { reason: 'spam' })).status).toBe(303);
      expect(await indexed()).toEqual([]);
      // While the topic is removed, a restored or approved reply stays out of the index too.
      expect((await mod.post(`/posts/${removed}/restore`, { note: '' })).status).toBe(303);
      expect((await mod.post(`/posts/${waiting}/approve`)).status).toBe(303);
      expect(await indexed()).toEqual([]);
      const facts = await forumFacts('off-topic');
      expect(facts.actual).toEqual(facts.expected);

      expect((await mod.post(`/t/${topic.id}/restore`, {})).status).toBe(303);
      expect(await indexed()).toEqual([first, kept, removed, waiting]);
      const restored = await forumFacts('off-topic');
      expect(restored.actual).toEqual(restored.expected);
      expect(await search('deleted')).not.toContainEqual({ rowid: deleted });
    });
  });

  describe('the author beside the post', () => {
    it("the queue and the post panel show the author's age, visible posts, earlier reports and removals", async () => {
      const { a: author, user } = await person(); // joined 10 days ago
      expect(
        (await author.post('/f/off-topic', { title: 'Record of an author', body: 'First.' }))
          .status,
      ).toBe(303);
      const topic = (await topicByTitle('Record of an author')) as typeof topics.$inferSelect;
      const ids: number[] = [];
      for (const body of ['Second.', 'Third.', 'Fourth.']) {
        forum.clock.advance(6_000);
        await author.post(`/t/${topic.id}/replies`, { body });
        ids.push(
          ((await topicByTitle('Record of an author')) as typeof topics.$inferSelect)
            .lastPostId as number,
        );
      }
      const [removed, dismissed, reported] = ids as [number, number, number];
      const { a: reporter } = await person();
      expect(
        (await mod.post(`/posts/${removed}/remove`, { reason: 'spam', note: '' })).status,
      ).toBe(303);
      await reporter.post(`/posts/${dismissed}/report`, { reason: 'abuse', note: '' });
      const [dismissable] = await db().select().from(reports).where(eq(reports.postId, dismissed));
      expect(
        (
          await mod.post(`/mod/reports/${dismissable?.id}/resolve`, {
            action: 'dismiss',
            note: '',
          })
        ).status,
      ).toBe(303);
      await reporter.post(`/posts/${reported}/report`, { reason: 'spam', note: '' });

      const queue = await page(await mod.get('/mod'));
      const item = queue
        .querySelectorAll('.queue-item')
        .find((li) => li.querySelector('h3 a')?.getAttribute('href') === `/p/${reported}`);
      const line = item?.querySelector('.queue-author')?.text.replace(/\s+/g, ' ');
      expect(line).toContain(user.username);
      expect(line).toContain('joined 10 days ago');
      expect(line).toContain('3 visible posts'); // the first post and two replies
      expect(line).toContain('1 earlier report'); // the dismissed one; the open one is not earlier
      expect(line).toContain('1 earlier removal');

      const panel = await page(await mod.get(`/mod/posts/${reported}`));
      const own = panel.querySelector('.queue-author')?.text.replace(/\s+/g, ' ');
      expect(own).toContain('joined 10 days ago');
      expect(own).toContain('3 visible posts');
      expect(own).toContain('1 earlier removal');
    });

    it("held posts in the queue carry their author's record too", async () => {
      const { topic } = await aHeldTopic('Held with a record');
      const queue = await page(await mod.get('/mod'));
      const held = queue
        .querySelectorAll('.queue-item')
        .find((li) => li.querySelector('h3 a')?.text.includes('Held with a record'));
      expect(held?.querySelector('.queue-author')?.text).toMatch(
        /joined 10 days ago · 0 visible posts · 0 earlier reports · 0 earlier removals/,
      );
      expect(topic.state).toBe('held');
    });
  });

  describe('the log names accounts', () => {
    it('shows the username of the account an entry is about, linked to its panel', async () => {
      const { user } = await person();
      expect((await mod.post(`/u/${user.username}/hold-posts`, { note: '' })).status).toBe(303);
      const log = await page(await mod.get(`/mod/log?target=user:${user.id}`));
      const cells = log.querySelectorAll('table.log tbody tr td');
      const target = cells[3];
      expect(target?.text).toBe(user.username);
      expect(target?.querySelector('a')?.getAttribute('href')).toBe(`/mod/users/${user.username}`);
      expect(log.querySelector('table.log')?.text).not.toContain(`user ${user.id}`);
      // Other targets keep their kind and number: a post is not an account.
      const topic = await aTopic('Logged post target', 1);
      await mod.post(`/posts/${topic.lastPostId}/remove`, { reason: 'spam', note: '' });
      const posts = await page(await mod.get(`/mod/log?target=post:${topic.lastPostId}`));
      expect(posts.querySelectorAll('table.log tbody tr td')[3]?.text).toBe(
        `post ${topic.lastPostId}`,
      );
    });
  });

  describe('removing a spam account', () => {
    /** A forum's counters as they should be: its public topics and the posts in them. */
    const recount = async (forumId: number) => {
      const rows = await db()
        .select({ postCount: topics.postCount })
        .from(topics)
        .where(
          and(eq(topics.forumId, forumId), eq(topics.state, 'visible'), isNull(topics.removedAt)),
        );
      return { topicCount: rows.length, postCount: rows.reduce((n, r) => n + r.postCount, 0) };
    };
    const counters = async (forumId: number) => {
      const row = await db().select().from(forums).where(eq(forums.id, forumId)).get();
      return { topicCount: row?.topicCount, postCount: row?.postCount };
    };

    it('removes every post as spam with the topics it started, resolves their reports and suspends permanently, in one log entry', async () => {
      const { a: spammer, user } = await person();
      expect(
        (
          await spammer.post('/f/off-topic', {
            title: 'Cheap watches here',
            body: 'Buy cheapwatchesxyz now.',
          })
        ).status,
      ).toBe(303);
      const own = (await topicByTitle('Cheap watches here')) as typeof topics.$inferSelect;
      forum.clock.advance(6_000);
      await spammer.post(`/t/${own.id}/replies`, { body: 'More cheapwatchesxyz.' });
      const other = await aTopic('Innocent topic with spam', 1);
      forum.clock.advance(6_000);
      await spammer.post(`/t/${other.id}/replies`, { body: 'Visit cheapwatchesxyz today.' });
      const spamReply = (await topicByTitle('Innocent topic with spam'))?.lastPostId as number;
      const { a: reporter } = await person();
      await reporter.post(`/posts/${spamReply}/report`, { reason: 'spam', note: '' });
      expect(await search('cheapwatchesxyz')).toHaveLength(3);
      const logBefore = (await db().select({ n: count() }).from(moderationLog).get())?.n ?? 0;

      const panel = await page(await mod.get(`/mod/users/${user.username}`));
      const form = panel.querySelector(`form[action="/u/${user.username}/purge"]`);
      expect(
        form?.querySelector('input[name="confirm"][type="checkbox"][required]'),
      ).not.toBeNull();
      expect(form?.querySelector('button')?.text).toContain('Remove all posts and suspend');

      // Without the tick: the form again, nothing removed.
      const unconfirmed = await mod.post(`/u/${user.username}/purge`, { until: '', reason: '' });
      expect(unconfirmed.status).toBe(422);
      expect((await page(unconfirmed)).querySelector('#purge-confirm-error')?.text).toContain(
        'Tick the box',
      );
      expect((await postRow(spamReply))?.removedAt).toBeNull();

      const res = await mod.post(`/u/${user.username}/purge`, {
        until: '',
        reason: 'Spam.',
        confirm: '1',
      });
      expect(res.status).toBe(303);
      expect(location(res)).toBe(`/mod/users/${user.username}?done=purged`);

      const theirs = await db().select().from(posts).where(eq(posts.userId, user.id));
      expect(theirs).toHaveLength(3);
      for (const p of theirs) expect(p).toMatchObject({ removedReason: 'spam' });
      expect(theirs.every((p) => p.removedAt !== null)).toBe(true);
      expect((await topicRow(own.id))?.removedReason).toBe('spam');
      expect((await topicRow(other.id))?.removedAt).toBeNull();
      expect(await search('cheapwatchesxyz')).toHaveLength(0);
      expect(await db().select().from(reports).where(eq(reports.postId, spamReply))).toMatchObject([
        { status: 'resolved', resolvedById: modUser.id },
      ]);
      expect(await counters(own.forumId)).toEqual(await recount(own.forumId));
      const account = await db().select().from(users).where(eq(users.id, user.id)).get();
      expect(account?.suspendedUntil?.getUTCFullYear()).toBe(9999);
      expect(account?.suspendedReason).toBe('Spam.');
      const logAfter = (await db().select({ n: count() }).from(moderationLog).get())?.n ?? 0;
      expect(logAfter - logBefore).toBe(1);
      expect(await logRows('user_purge', user.id)).toHaveLength(1);

      const refused = await spammer.post(`/t/${other.id}/replies`, { body: 'Still here?' });
      expect(refused.status).toBe(403);
      expect((await page(refused)).querySelector('main')?.text).toContain('suspended permanently');
      const shown = await page(await mod.get(`/mod/users/${user.username}?done=purged`));
      expect(shown.querySelector('main')?.text).toContain('Suspended permanently');
    });

    it('suspends through the given day, and a day in the past is refused with nothing removed', async () => {
      const { a: spammer, user } = await person();
      expect(
        (await spammer.post('/f/off-topic', { title: 'Dated spam topic', body: 'Spam.' })).status,
      ).toBe(303);
      const topic = (await topicByTitle('Dated spam topic')) as typeof topics.$inferSelect;
      const past = await mod.post(`/u/${user.username}/purge`, {
        until: '2020-01-01',
        reason: 'Spam.',
        confirm: '1',
      });
      expect(past.status).toBe(422);
      expect((await page(past)).querySelector('#purge-until-error')).not.toBeNull();
      expect((await topicRow(topic.id))?.removedAt).toBeNull();
      const until = new Date(forum.deps.now() + 7 * DAY).toISOString().slice(0, 10);
      const res = await mod.post(`/u/${user.username}/purge`, {
        until,
        reason: 'Spam.',
        confirm: '1',
      });
      expect(res.status).toBe(303);
      const account = await db().select().from(users).where(eq(users.id, user.id)).get();
      expect(account?.suspendedUntil?.toISOString()).toBe(
        new Date(Date.parse(`${until}T00:00:00Z`) + DAY).toISOString(),
      );
      expect((await topicRow(topic.id))?.removedReason).toBe('spam');
    });

    it('a moderator may not do it to a moderator; nothing changes', async () => {
      const { a: other, user } = await person('moderator');
      expect(
        (await other.post('/f/off-topic', { title: 'A moderator topic', body: 'Mine.' })).status,
      ).toBe(303);
      const topic = (await topicByTitle('A moderator topic')) as typeof topics.$inferSelect;
      const panel = await page(await mod.get(`/mod/users/${user.username}`));
      expect(panel.querySelector(`form[action="/u/${user.username}/purge"]`)).toBeNull();
      const res = await mod.post(`/u/${user.username}/purge`, { reason: 'Spam.', confirm: '1' });
      expect(res.status).toBe(403);
      expect((await topicRow(topic.id))?.removedAt).toBeNull();
      expect(
        (await db().select().from(users).where(eq(users.id, user.id)).get())?.suspendedUntil,
      ).toBeNull();
    });
  });

  describe('who may moderate', () => {
    it('a suspended moderator has no moderator powers until the suspension ends', async () => {
      const { a: suspendedMod, user } = await person('moderator');
      const { a: admin } = await person('admin');
      const until = new Date(forum.deps.now() + 2 * DAY).toISOString().slice(0, 10);
      expect(
        (await admin.post(`/u/${user.username}/suspend`, { until, reason: 'Abused powers' }))
          .status,
      ).toBe(303);
      const topic = await aTopic('Suspended moderator target', 1);
      const res = await suspendedMod.post(`/posts/${topic.lastPostId}/remove`, {
        reason: 'spam',
        note: '',
      });
      expect(res.status).toBe(403);
      expect((await page(res)).querySelector('main')?.text).toContain('staff powers return');
      expect((await postRow(topic.lastPostId as number))?.removedAt).toBeNull();
      expect((await suspendedMod.get('/mod')).status).toBe(403);
      const nav = await page(await suspendedMod.get('/'));
      expect(nav.querySelector('.site-nav a[href="/mod"]')).toBeNull();
    });

    it('members and visitors get 403 everywhere, and nothing changes', async () => {
      const topic = await aTopic('Not for members', 1);
      const { a: member } = await person();
      const visitor = agent(forum.request);
      const before = await db().select().from(topics).where(eq(topics.id, topic.id)).get();
      for (const who of [member, visitor]) {
        for (const path of [
          '/mod',
          '/mod/log',
          `/mod/topics/${topic.id}`,
          `/mod/posts/${topic.lastPostId}`,
        ]) {
          expect((await who.get(path)).status, path).toBe(403);
        }
        for (const [path, fields] of [
          [`/t/${topic.id}/lock`, {}],
          [`/t/${topic.id}/pin`, {}],
          [`/t/${topic.id}/remove`, { reason: 'spam' }],
          [`/t/${topic.id}/move`, { forum: 'marketplace-help' }],
          [`/posts/${topic.lastPostId}/remove`, { reason: 'spam' }],
        ] as const) {
          expect((await who.post(path, fields)).status, path).toBe(403);
        }
      }
      expect(await db().select().from(topics).where(eq(topics.id, topic.id)).get()).toEqual(before);
      expect(location(await member.post('/logout'))).toBe('/');
    });
  });
}
