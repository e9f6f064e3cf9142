/**
 * Notifications by email, the same on Node (libSQL, a real SMTP server in the test process) and
 * in workerd (D1, the local Email Service binding), through the real routes, the real
 * notification loop and the real outbox and delivery loop: "when away" (10 minutes, skipped when
 * read meanwhile, one email per topic per wait, a daily cap), the kinds chosen in /account, the
 * daily summary, and the one-click unsubscribe scoped to a topic or to a kind.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, topicWatches, users } from '../../db/schema';
import { hashPassword } from '../../src/auth/password';
import { NOTIFICATION_MAILS_PER_DAY } from '../../src/mail/delivery';
import { createForum } from '../../src/services/catalog';
import { markAllNotificationsRead, runNotificationJobs } from '../../src/services/notifications';
import { createReply, createTopic } from '../../src/services/posting';
import { parseHtml } from '../support/html';
import { location } from './agent';
import type { EmailForum } from './email-suite';
import type { ReceivedMail } from './mail';
import { type Person, peopleOf } from './people';

const MINUTE = 60_000;

export function notificationMailSuite(setup: () => Promise<EmailForum>) {
  let forum: EmailForum;
  let passwordHash: string;
  let forumId: number;
  const db = () => forum.deps.db;
  const people = peopleOf(
    () => forum,
    'mailed_',
    () => passwordHash,
  );
  /** A person with a confirmed address (unless `confirmed` is false). */
  const person = (o: { confirmed?: boolean } = {}) =>
    people({
      values: o.confirmed === false ? {} : { emailConfirmedAt: new Date(forum.deps.now()) },
    });

  /** The notification loop's run, as the server makes it after responses. */
  const notify = async () => {
    const lines: string[] = [];
    await runNotificationJobs(forum.deps, (l) => lines.push(l));
    expect(lines, 'the loop logged no failure').toEqual([]);
  };
  /** The messages a delivery pass sends to `who`. */
  async function mailTo(who: Person): Promise<ReceivedMail[]> {
    const before = forum.mail.received().length;
    await forum.mail.deliver();
    return forum.mail
      .received()
      .slice(before)
      .filter((m) => m.to.includes(who.user.email ?? '?'));
  }
  /** After the wait: the loop runs and the emails due are sent. */
  async function afterWait(who: Person, minutes = 11) {
    forum.clock.advance(minutes * MINUTE);
    await notify();
    return mailTo(who);
  }

  async function topicBy(author: Person, title = `Mailed topic ${Date.now()}-${Math.random()}`) {
    const t = await createTopic(forum.deps, {
      forumId,
      authorId: author.user.id,
      title,
      body: 'The opening post.',
      kind: 'discussion',
    });
    return { id: t.topicId, path: `/t/${t.topicId}/${t.slug}`, firstPostId: t.postId, title };
  }
  async function reply(who: Person, topicId: number, body: string) {
    forum.clock.advance(MINUTE);
    const res = await who.a.post(`/t/${topicId}/replies`, { body });
    expect(res.status, body).toBe(303);
    return Number(location(res).split('#p')[1]);
  }
  const outboxOf = (who: Person) =>
    db().select().from(mailOutbox).where(eq(mailOutbox.userId, who.user.id)).all();

  /** The /account email choices form as the person would send it, with `changes`. */
  async function emailChoices(who: Person) {
    const res = await who.a.get('/account');
    expect(res.status, 'the account page').toBe(200);
    const doc = parseHtml(await res.text());
    const form = doc.querySelector('form[action="/account/email-choices"]');
    expect(form, 'the account page has the email choices').not.toBeNull();
    const fields: Record<string, string> = {};
    for (const input of form?.querySelectorAll('input[type=checkbox]') ?? []) {
      if (input.hasAttribute('checked')) fields[input.getAttribute('name') ?? ''] = '1';
    }
    const digest = form?.querySelector('select[name=digest] option[selected]');
    fields.digest = digest?.getAttribute('value') ?? '';
    return fields;
  }

  beforeAll(async () => {
    forum = await setup();
    passwordHash = await hashPassword('correct horse battery staple');
    forumId = (
      await createForum(forum.deps, {
        slug: `mailed-${Date.now().toString(36)}`,
        name: 'Mailed',
        category: 'community',
      })
    ).id;
  });

  describe('when away', () => {
    it('emails a reply 10 minutes after it, with a one-click link scoped to the topic', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      const post = await reply(helper, t.id, 'Try turning it off and on again.');
      await notify();
      expect(await mailTo(asker), 'nothing before the wait').toEqual([]);
      const [mail, ...more] = await afterWait(asker, 10);
      expect(more).toEqual([]);
      expect(mail?.subject).toBe(
        `${helper.user.username} replied in ${t.title} (Plimus Community Forums)`,
      );
      expect(mail?.text).toContain(`/p/${post}`);
      expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(mail?.headers['list-unsubscribe']).toMatch(
        new RegExp(
          `^<https?://[^>]+/email/unsubscribe/${asker.user.id}\\.topic-${t.id}\\.[\\w-]{43}>$`,
        ),
      );
      expect(mail?.text).toMatch(/Stop email about replies to your posts and topics: http/);
      // Sent once.
      expect(await afterWait(asker)).toEqual([]);
    });

    it('sends nothing when the person read it on the forum meanwhile', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      await reply(helper, t.id, 'An answer read in time.');
      await notify();
      expect((await asker.a.get(t.path)).status).toBe(200);
      await forum.deps.reads.write(forum.deps.db, () => {});
      expect(await afterWait(asker)).toEqual([]);
      expect((await outboxOf(asker)).map((r) => r.status)).toEqual(['dropped']);
    });

    it('sends one email per topic for what came during the wait', async () => {
      const asker = await person();
      const [first, second] = [await person(), await person()];
      const t = await topicBy(asker);
      await reply(first, t.id, 'One.');
      await notify();
      await reply(second, t.id, 'Two.');
      await reply(first, t.id, `Three, @${asker.user.username}.`);
      await notify();
      const mails = await afterWait(asker);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toBe(`2 notifications in ${t.title} (Plimus Community Forums)`);
      expect(mails[0]?.text).toContain(`2 new replies, the last by ${second.user.username}, in`);
      expect(mails[0]?.text).toContain(`${first.user.username} mentioned you in`);
    });

    it('emails only confirmed addresses, and only the kinds chosen', async () => {
      const unconfirmed = await person({ confirmed: false });
      const author = await person();
      const fan = await person();
      await reply(fan, (await topicBy(unconfirmed)).id, 'A reply nobody is emailed about.');
      await notify();
      expect(await afterWait(unconfirmed)).toEqual([]);
      expect(await outboxOf(unconfirmed)).toEqual([]);

      // A like is in the forum only, until the person chooses it by email.
      const t = await topicBy(author);
      expect((await fan.a.post(`/posts/${t.firstPostId}/like`)).status).toBe(303);
      await notify();
      expect(await afterWait(author)).toEqual([]);
      const choices = await emailChoices(author);
      expect(choices).toMatchObject({ email_reply: '1', email_mention: '1', digest: 'off' });
      expect(choices.email_like).toBeUndefined();
      const saved = await author.a.post('/account/email-choices', { ...choices, email_like: '1' });
      expect(saved.status).toBe(303);
      const again = await topicBy(author);
      expect((await fan.a.post(`/posts/${again.firstPostId}/like`)).status).toBe(303);
      await notify();
      const [mail] = await afterWait(author);
      expect(mail?.subject).toBe(
        `${fan.user.username} liked your post in ${again.title} (Plimus Community Forums)`,
      );
    });

    it(`sends at most ${NOTIFICATION_MAILS_PER_DAY} a day`, async () => {
      const asker = await person();
      const helper = await person();
      const topics = [];
      for (let i = 0; i <= NOTIFICATION_MAILS_PER_DAY; i++) topics.push(await topicBy(asker));
      // Through the service: the route's posting limits are not what is tested here.
      for (const t of topics) {
        await createReply(forum.deps, { topicId: t.id, authorId: helper.user.id, body: 'Hi.' });
      }
      await notify();
      const mails = await afterWait(asker);
      expect(mails).toHaveLength(NOTIFICATION_MAILS_PER_DAY);
      const statuses = (await outboxOf(asker)).map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 'sent')).toHaveLength(NOTIFICATION_MAILS_PER_DAY);
      expect(statuses.filter((s) => s === 'dropped')).toHaveLength(1);
      // The next day (the asker read everything meanwhile), email comes again.
      forum.clock.advance(24 * 60 * MINUTE);
      await markAllNotificationsRead(forum.deps, asker.user.id);
      const [t] = topics;
      await createReply(forum.deps, {
        topicId: t?.id ?? 0,
        authorId: helper.user.id,
        body: 'Again.',
      });
      await notify();
      expect(await afterWait(asker)).toHaveLength(1);
    });

    it('refuses a summary choice it does not know (422), nothing changed', async () => {
      const who = await person();
      const res = await who.a.post('/account/email-choices', { digest: 'hourly', email_like: '1' });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('Choose never, daily or weekly for the summary.');
      const row = await db().select().from(users).where(eq(users.id, who.user.id)).get();
      expect(row).toMatchObject({ digest: 'off', notificationEmailKinds: null });
    });
  });

  describe('the summary', () => {
    it('comes once a day when chosen, listing what is unread, and its link stops it', async () => {
      const who = await person();
      const fan = await person();
      const saved = await who.a.post('/account/email-choices', {
        ...(await emailChoices(who)),
        digest: 'daily',
      });
      expect(saved.status).toBe(303);
      const t = await topicBy(who);
      expect((await fan.a.post(`/posts/${t.firstPostId}/like`)).status).toBe(303);
      await notify();
      const [digest] = await mailTo(who);
      expect(digest?.subject).toBe('1 unread notification (Plimus Community Forums)');
      expect(digest?.text).toContain(`${fan.user.username} liked your post in ${t.title}`);
      // Nothing new: no summary the next day either.
      expect(await afterWait(who, 24 * 60 + 1)).toEqual([]);

      const stop = digest?.headers['list-unsubscribe']?.slice(1, -1) ?? '';
      expect(stop).toMatch(/\/email\/unsubscribe\/\d+\.digest\./);
      const res = await forum.request(new URL(stop).pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('summaries of your notifications by email');
      // (A day later the session has ended: the row says it.)
      const row = await db().select().from(users).where(eq(users.id, who.user.id)).get();
      expect(row?.digest).toBe('off');
    });
  });

  describe('one-click unsubscribe', () => {
    it('scoped to the topic mutes it; scoped to a kind turns that kind to the forum only', async () => {
      const asker = await person();
      const helper = await person();
      const t = await topicBy(asker);
      await reply(helper, t.id, 'A first answer.');
      await notify();
      const [mail] = await afterWait(asker);
      const topicLink = mail?.headers['list-unsubscribe']?.slice(1, -1) ?? '';
      // GET only asks (link scanners follow links).
      const asked = await forum.request(new URL(topicLink).pathname);
      expect(asked.status).toBe(200);
      expect(await asked.text()).toContain('notifications by email about this topic');
      const watch = () =>
        db()
          .select({ level: topicWatches.level })
          .from(topicWatches)
          .where(and(eq(topicWatches.userId, asker.user.id), eq(topicWatches.topicId, t.id)))
          .get();
      expect((await watch())?.level).toBe('watching');
      const res = await forum.request(new URL(topicLink).pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      expect((await watch())?.level).toBe('muted');
      await reply(helper, t.id, 'A second answer nobody is told about.');
      await notify();
      expect(await afterWait(asker)).toEqual([]);

      // The kind link of another topic's email.
      const other = await topicBy(asker);
      await reply(helper, other.id, 'An answer elsewhere.');
      await notify();
      const [next] = await afterWait(asker);
      const kindLink = next?.text.match(
        /Stop email about replies to your posts and topics: (\S+)/,
      )?.[1];
      expect(kindLink).toMatch(/\.kind-reply\./);
      const stopped = await forum.request(new URL(kindLink ?? '').pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(stopped.status).toBe(200);
      expect(await stopped.text()).toContain('emails about replies to your posts and topics');
      const choices = await emailChoices(asker);
      expect(choices.email_reply).toBeUndefined();
      expect(choices.email_mention).toBe('1');
      const third = await topicBy(asker);
      await reply(helper, third.id, 'A reply, in the forum only now.');
      await notify();
      expect(await afterWait(asker)).toEqual([]);
    });

    it('refuses a link with a changed scope (400), nothing changed', async () => {
      const who = await person();
      const helper = await person();
      const t = await topicBy(who);
      await reply(helper, t.id, 'An answer.');
      await notify();
      const [mail] = await afterWait(who);
      const link = mail?.headers['list-unsubscribe']?.slice(1, -1) ?? '';
      const forged = new URL(link).pathname.replace(`.topic-${t.id}.`, `.topic-${t.id + 1}.`);
      const res = await forum.request(forged, { method: 'POST' });
      expect(res.status).toBe(400);
    });
  });
}
