const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2 Dec 2026, 17:14 UTC": the exact time, as the text of `Time` and the title of `Age`. */
export const exactTime = (date: Date): string => `${dateTime.format(date)} UTC`;

/** A point in time: machine-readable in `datetime`, readable in UTC in the text. */
export function Time({ date, dateOnly: onlyDate }: { date: Date; dateOnly?: boolean }) {
  return (
    <time datetime={date.toISOString()}>{onlyDate ? dateOnly.format(date) : exactTime(date)}</time>
  );
}
