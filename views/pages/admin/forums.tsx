/** /admin: the forums, by category in their order, to move and edit. */
import { FORUM_CATEGORIES } from '../../../domain/words';
import type { AdminForum } from '../../../src/services/admin';
import { CATEGORY_NAMES } from '../../components/names';
import type { Frame } from '../../layouts/site';
import { AdminSectionPage } from './parts';

export type AdminForumsPageProps = { frame: Frame; forums: AdminForum[]; notice?: string };

export function AdminForumsPage(p: AdminForumsPageProps) {
  return (
    <AdminSectionPage frame={p.frame} section="forums" notice={p.notice}>
      <p>
        Forums appear on the <a href="/">forum index</a> in this order. Every change here is written
        to the moderation log.
      </p>
      <p>
        <a class="button" href="/admin/forums/new">
          New forum
        </a>
      </p>
      {FORUM_CATEGORIES.map((category) => {
        const list = p.forums.filter((f) => f.category === category);
        return (
          <section class="admin-section" aria-labelledby={`category-${category}`}>
            <h2 id={`category-${category}`}>{CATEGORY_NAMES[category]}</h2>
            {list.length === 0 ? (
              <p class="muted">No forums in this category.</p>
            ) : (
              <ol class="admin-forums">
                {list.map((f, i) => (
                  <AdminForumItem forum={f} first={i === 0} last={i === list.length - 1} />
                ))}
              </ol>
            )}
          </section>
        );
      })}
    </AdminSectionPage>
  );
}

function AdminForumItem({
  forum: f,
  first,
  last,
}: {
  forum: AdminForum;
  first: boolean;
  last: boolean;
}) {
  return (
    <li class="admin-forum">
      <div class="admin-forum-main">
        <h3 class="admin-forum-name">
          <a href={`/admin/forums/${f.id}`}>{f.name}</a>
          {f.archived ? <span class="tag">Archived</span> : null}
          {f.announcements ? <span class="tag">Announcements</span> : null}
        </h3>
        <p class="admin-forum-facts">
          <a href={`/f/${f.slug}`}>/f/{f.slug}</a> · {f.topicCount.toLocaleString('en-US')}{' '}
          {f.topicCount === 1 ? 'topic' : 'topics'}
          {f.product ? (
            <>
              {' '}
              · {f.product.vendor.name} / {f.product.name}
            </>
          ) : null}
        </p>
      </div>
      <div class="admin-forum-actions">
        {first ? null : <MoveButton forum={f} direction="up" />}
        {last ? null : <MoveButton forum={f} direction="down" />}
        <a href={`/admin/forums/${f.id}`} aria-label={`Edit ${f.name}`}>
          Edit
        </a>
      </div>
    </li>
  );
}

function MoveButton({ forum, direction }: { forum: AdminForum; direction: 'up' | 'down' }) {
  const label = direction === 'up' ? 'Move up' : 'Move down';
  return (
    <form method="post" action={`/admin/forums/${forum.id}/move`} class="inline-form">
      <input type="hidden" name="direction" value={direction} />
      <button type="submit" class="button-secondary" aria-label={`${label}: ${forum.name}`}>
        {label}
      </button>
    </form>
  );
}
