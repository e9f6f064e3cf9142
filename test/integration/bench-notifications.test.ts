/**
 * The notification rows of the bench (test/bench/notifications.ts), small: they run, every
 * watcher of a watched reply is notified, and each header count is one statement. Timings are the
 * bench's to judge, never a test's.
 */
import { expect, it } from 'vitest';
import { benchNotifications } from '../bench/notifications';

it('runs the notification rows: every watcher notified, one statement per header count', async () => {
  const lines: string[] = [];
  // Throws when the first watched reply did not notify every watcher.
  const rows = await benchNotifications({
    watchers: 200,
    posts: 3,
    rounds: 2,
    log: (l) => lines.push(l),
  });
  expect(rows.map((r) => r.label)).toEqual([
    'reply: posting request, unwatched → watched by 200',
    'new topic: posting request, unwatched → watched by 200',
    'reply: every notification written (200 watchers)',
    'new topic: every notification written (200 watchers)',
    'signed-in topic page: reading state off → on (its write included)',
    'header counts: unread notifications (every signed-in page, one query)',
    'header counts: moderation queue (moderators, one more query)',
  ]);
  expect(rows.slice(-2).map((r) => r.value.split(',')[0])).toEqual(['1 statement', '1 statement']);
  expect(lines).toEqual(['bench notifications: 200 watchers, 3 posts of each kind']);
});
