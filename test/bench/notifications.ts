/**
 * The notification rows of `npm run bench` (alone with `npm run bench -- --only notifications`),
 * in this process on a fresh migrated database file, one request at a time through the app:
 *
 * - a reply in a topic watched by `watchers` (10,000) people against a reply in an unwatched
 *   topic, and a new topic in a forum whose first posts `watchers` people watch against one in a
 *   forum nobody watches, taken in turn: the posting request's p50 and p99 (target: the watched
 *   p99 within 5 ms of the unwatched); then the fan-out of each watched post as the loop runs it
 *   (target: every notification written within 5 s);
 * - a signed-in member's topic page with the reading state recorded (and its write after the
 *   response, counted per page) against the same page with recording turned off (target: at most
 *   10 % slower, median of rounds);
 * - the header counts of a signed-in page (unread notifications; the moderation queue for a
 *   moderator; open questions for vendor staff): their queries per page and their median time.
 */
import { count, eq, sql } from 'drizzle-orm';
import { forumWatches, notifications, topicWatches, users } from '../../db/schema';
import { createSession } from '../../src/auth/session';
import { createForum } from '../../src/services/catalog';
import { runNotificationJobs, unreadNotificationCount } from '../../src/services/notifications';
import { createTopic } from '../../src/services/posting';
import { moderationQueueCount } from '../../src/services/reports';
import { agent } from '../shared/agent';
import { createTestForum } from '../support/forum';
import { fmtCount, median } from './lib';

export type NotificationBenchOptions = {
  watchers: number;
  /** posting requests of each kind */
  posts: number;
  /** rounds of the topic-page comparison */
  rounds: number;
  log: (line: string) => void;
};

export type NotificationRow = { label: string; value: string; target: string; pass: boolean };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

export async function benchNotifications(o: NotificationBenchOptions): Promise<NotificationRow[]> {
  // Posting limits are per account and time: every post comes from an account of its own.
  let statements = 0;
  const forum = await createTestForum(
    { MAIL_RATE_PER_MINUTE: '1000' },
    {
      onQuery: () => {
        statements++;
      },
    },
  );
  try {
    const { deps, db } = forum;
    const now = () => deps.now();
    const quiet = await createForum(deps, { slug: 'quiet', name: 'Quiet', category: 'community' });
    const watched = await createForum(deps, {
      slug: 'watched',
      name: 'Watched',
      category: 'community',
    });
    o.log(`bench notifications: ${fmtCount(o.watchers)} watchers, ${o.posts} posts of each kind`);
    // The watchers, in a few statements.
    const made = new Date(now() - 30 * 86_400_000);
    for (let i = 0; i < o.watchers; i += 500) {
      await db.insert(users).values(
        Array.from({ length: Math.min(500, o.watchers - i) }, (_, j) => ({
          username: `watcher${i + j}`,
          usernameKey: `watcher${i + j}`,
          passwordHash: 'x',
          createdAt: made,
        })),
      );
    }
    const posters: { user: typeof users.$inferSelect; a: ReturnType<typeof agent> }[] = [];
    for (let i = 0; i < 4 * o.posts + 2; i++) {
      const [u] = await db
        .insert(users)
        .values({
          username: `poster${i}`,
          usernameKey: `poster${i}`,
          passwordHash: 'x',
          createdAt: made,
          ageConfirmedAt: made,
          publicAckAt: made,
        })
        .returning();
      if (!u) throw new Error('no poster');
      const a = agent(forum.request, { client: `poster${i}` });
      a.jar.set('session', (await createSession(deps, u.id, { remember: true })).token);
      posters.push({ user: u, a });
    }
    const owner = posters.pop();
    // A member who reads: no notifications waiting (one with some elsewhere writes at every view).
    const reader = posters.pop();
    if (!owner || !reader) throw new Error('no owner or reader');
    const topicIn = async (forumId: number, title: string) =>
      createTopic(deps, {
        forumId,
        authorId: owner.user.id,
        title,
        body: 'Opening.',
        kind: 'discussion',
      });
    const hot = await topicIn(quiet.id, 'A topic everyone watches');
    const cold = await topicIn(quiet.id, 'A topic nobody watches');
    await runNotificationJobs(deps);
    await db.run(sql`insert into ${topicWatches} (user_id, topic_id, level, updated_at)
      select id, ${hot.topicId}, 'watching', ${now()} from ${users} where username like 'watcher%'`);
    await db.run(sql`insert into ${forumWatches} (user_id, forum_id, level, updated_at)
      select id, ${watched.id}, 'watching_first_post', ${now()} from ${users} where username like 'watcher%'`);

    const timed = async (run: () => Promise<Response>) => {
      const started = performance.now();
      const res = await run();
      const took = performance.now() - started;
      if (res.status !== 303) throw new Error(`a post answered ${res.status}`);
      return { took, res };
    };
    const fanOutTimes: { reply: number[]; topic: number[] } = { reply: [], topic: [] };
    const fanOut = async (kind: 'reply' | 'topic') => {
      const started = performance.now();
      await runNotificationJobs(deps);
      fanOutTimes[kind].push(performance.now() - started);
    };
    const times = {
      unwatchedReply: [] as number[],
      watchedReply: [] as number[],
      quietTopic: [] as number[],
      watchedTopic: [] as number[],
    };
    let p = 0;
    const next = () => {
      const who = posters[p++];
      if (!who) throw new Error('out of posters');
      return who;
    };
    let firstFanOutNotes = 0;
    for (let i = 0; i < o.posts; i++) {
      const body = { body: `Reply number ${i}: something worth reading.` };
      times.unwatchedReply.push(
        (await timed(() => next().a.post(`/t/${cold.topicId}/replies`, body))).took,
      );
      await runNotificationJobs(deps);
      times.watchedReply.push(
        (await timed(() => next().a.post(`/t/${hot.topicId}/replies`, body))).took,
      );
      await fanOut('reply');
      if (i === 0) {
        firstFanOutNotes = Number(
          (
            await db
              .select({ n: count() })
              .from(notifications)
              .where(eq(notifications.topicId, hot.topicId))
              .get()
          )?.n,
        );
      }
      const topic = (slug: string) => ({
        title: `A new topic ${i} in ${slug}`,
        body: 'A question.',
      });
      times.quietTopic.push((await timed(() => next().a.post('/f/quiet', topic('quiet')))).took);
      await runNotificationJobs(deps);
      times.watchedTopic.push(
        (await timed(() => next().a.post('/f/watched', topic('watched')))).took,
      );
      await fanOut('topic');
    }
    const rows: NotificationRow[] = [];
    const within = (watchedP99: number, baseP99: number) => watchedP99 - baseP99 <= 5;
    for (const [label, base, hotTimes] of [
      ['reply', times.unwatchedReply, times.watchedReply],
      ['new topic', times.quietTopic, times.watchedTopic],
    ] as const) {
      const b99 = percentile(base, 99);
      const w99 = percentile(hotTimes, 99);
      rows.push({
        label: `${label}: posting request, unwatched → watched by ${fmtCount(o.watchers)}`,
        value: `p50 ${ms(median(base))} → ${ms(median(hotTimes))}, p99 ${ms(b99)} → ${ms(w99)}`,
        target: 'watched p99 ≤ unwatched p99 + 5 ms',
        pass: within(w99, b99),
      });
    }
    for (const [label, list] of [
      ['reply', fanOutTimes.reply],
      ['new topic', fanOutTimes.topic],
    ] as const) {
      const worst = Math.max(...list);
      rows.push({
        label: `${label}: every notification written (${fmtCount(o.watchers)} watchers)`,
        value: `median ${ms(median(list))}, worst ${ms(worst)}`,
        target: '≤ 5,000 ms',
        pass: worst <= 5000,
      });
    }
    if (firstFanOutNotes < o.watchers) {
      throw new Error(
        `the first watched reply wrote ${firstFanOutNotes} notifications, not ${o.watchers}`,
      );
    }

    // The signed-in topic page, with and without the reading state.
    const page = `/t/${hot.topicId}/${hot.slug}`;
    const record = deps.reads.record.bind(deps.reads);
    const perRound = 200;
    const withState: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      for (const on of r % 2 === 0 ? [true, false] : [false, true]) {
        deps.reads.record = on ? record : () => {};
        const started = performance.now();
        for (let i = 0; i < perRound; i++) {
          const res = await reader.a.get(page);
          if (res.status !== 200) throw new Error(`the topic page answered ${res.status}`);
          await res.text();
        }
        // The write after the responses, counted per page.
        await deps.reads.write(db, () => {});
        (on ? withState : without).push((performance.now() - started) / perRound);
      }
    }
    deps.reads.record = record;
    const ratio = median(withState) / median(without);
    rows.push({
      label: 'signed-in topic page: reading state off → on (its write included)',
      value: `${ms(median(without))} → ${ms(median(withState))} a page (${ratio.toFixed(3)}×)`,
      target: '≤ 1.10×',
      pass: ratio <= 1.1,
    });

    // The header counts: the queries each signed-in page adds.
    const member = reader.user.id;
    const countTimes: number[] = [];
    const queueTimes: number[] = [];
    const statementsOf = async (run: () => Promise<unknown>) => {
      const before = statements;
      await run();
      return statements - before;
    };
    const countStatements = await statementsOf(() => unreadNotificationCount(deps, member));
    const queueStatements = await statementsOf(() => moderationQueueCount(deps));
    for (let i = 0; i < 500; i++) {
      let started = performance.now();
      await unreadNotificationCount(deps, member);
      countTimes.push(performance.now() - started);
      started = performance.now();
      await moderationQueueCount(deps);
      queueTimes.push(performance.now() - started);
    }
    rows.push({
      label: 'header counts: unread notifications (every signed-in page, one query)',
      value: `${countStatements} statement, median ${(median(countTimes) * 1000).toFixed(0)} µs`,
      target: 'one query',
      pass: countStatements === 1,
    });
    rows.push({
      label: 'header counts: moderation queue (moderators, one more query)',
      value: `${queueStatements} statement, median ${(median(queueTimes) * 1000).toFixed(0)} µs`,
      target: 'one query',
      pass: queueStatements === 1,
    });
    return rows;
  } finally {
    await forum.close();
  }
}
