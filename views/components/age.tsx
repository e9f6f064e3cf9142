const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** How long something has waited, in words: "less than a minute", "5 minutes", "3 days". */
export function formatAge(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute');
  if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.floor(ms / DAY), 'day');
}

/** "3 days ago", with the exact time for machines. `now` comes from the request, not the view. */
export function Age({ date, now }: { date: Date; now: number }) {
  return (
    <time datetime={date.toISOString()}>{formatAge(Math.max(0, now - date.getTime()))} ago</time>
  );
}
