import type { AuthorRecord } from '../../src/services/moderation';
import { Age } from './age';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A post's author as moderators see them beside the post: "joined 2 days ago · 3 visible posts ·
 * 1 earlier report · 0 removals". Nothing for a deleted author.
 */
export function AuthorRecordLine({
  record,
  now,
}: {
  record: AuthorRecord | null | undefined;
  now: number;
}) {
  if (!record) return null;
  return (
    <span class="author-record">
      joined <Age date={record.joinedAt} now={now} />
      {' · '}
      <span class="author-posts">
        {count(record.visiblePosts, 'visible post', 'visible posts')}
      </span>
      {' · '}
      <span class="author-reports">
        {count(record.earlierReports, 'earlier report', 'earlier reports')}
      </span>
      {' · '}
      <span class="author-removals">
        {count(record.removals, 'earlier removal', 'earlier removals')}
      </span>
    </span>
  );
}
