/** The edit-forum page's section that makes a forum an announcement forum, or an ordinary one. */
import type { AdminForum } from '../../../src/services/admin';
import { Checkbox } from '../../components/form';

export function AnnouncementForumSection({ forum: f }: { forum: AdminForum }) {
  return (
    <section class="admin-section" aria-labelledby="announcements-title">
      <h2 id="announcements-title">Announcements</h2>
      <p>
        {f.announcements
          ? 'An announcement forum: when an administrator starts a topic here, "Also email this to subscribers" sends it to the members who chose email announcements, at a confirmed address.'
          : 'Not an announcement forum: nothing posted here is emailed.'}
      </p>
      <form method="post" action={`/admin/forums/${f.id}/announcements`} class="form" novalidate>
        <Checkbox
          name="announcements"
          checked={f.announcements}
          label="This is an announcement forum"
          hint="Administrators' new topics here can be emailed to members who chose announcements."
        />
        <div class="buttons">
          <button type="submit">Save</button>
        </div>
      </form>
    </section>
  );
}
