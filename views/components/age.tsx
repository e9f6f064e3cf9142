import { exactTime } from './time';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * How long ago something happened, in words: "less than a minute ago", "5 minutes ago",
 * "3 hours ago", "yesterday", "2 days ago", "4 months ago", "2 years ago". Whole units, rounded
 * down, so the words stay true until the next unit is reached.
 */
export function formatAgo(ms: number): string {
  const age = Math.max(0, ms);
  if (age < MINUTE) return 'less than a minute ago';
  if (age < HOUR) return `${plural(Math.floor(age / MINUTE), 'minute')} ago`;
  if (age < DAY) return `${plural(Math.floor(age / HOUR), 'hour')} ago`;
  if (age < 2 * DAY) return 'yesterday';
  if (age < MONTH) return `${plural(Math.floor(age / DAY), 'day')} ago`;
  if (age < YEAR) return `${plural(Math.floor(age / MONTH), 'month')} ago`;
  return `${plural(Math.floor(age / YEAR), 'year')} ago`;
}

/**
 * "3 hours ago", with the exact time for machines (`datetime`) and people (`title`). `now` comes
 * from the request (`deps.now()`), never from the view: a page is rendered for each request (or
 * kept by the page cache for PAGE_CACHE_SECONDS at most), so the words are as fresh as the page.
 */
export function Age({ date, now }: { date: Date; now: number }) {
  return (
    <time datetime={date.toISOString()} title={exactTime(date)}>
      {formatAgo(now - date.getTime())}
    </time>
  );
}
