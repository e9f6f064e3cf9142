/** /admin/roles: find a member and change their role. */
import type { MemberRole } from '../../../src/services/admin';
import { Radios } from '../../components/choice';
import { ErrorSummary, Field, type FieldErrors } from '../../components/form';
import { ROLE_NAMES } from '../../components/names';
import { Time } from '../../components/time';
import type { Frame } from '../../layouts/site';
import { AdminSectionPage } from './parts';

export type RolesPageProps = {
  frame: Frame;
  notice?: string | undefined;
  /** what was searched for; empty before a search */
  username: string;
  /** the member found; null when nobody has that username */
  member: MemberRole | null;
  /** members whose username starts with what was searched for (a bounded list) */
  matches: MemberRole[];
  /** the current moderators and administrators */
  staff: MemberRole[];
  /** false for the viewer's own account: nobody takes away their own admin role */
  canChange: boolean;
  role?: string | undefined;
  errors: FieldErrors;
};

export function RolesPage(p: RolesPageProps) {
  return (
    <AdminSectionPage frame={p.frame} section="roles" notice={p.notice}>
      <section class="admin-section" aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <p>
          Moderators work the report queue and moderate every forum; administrators also manage
          forums, roles and watched words. Find a member by username (or its first letters) to
          change their role.
        </p>
        <form method="get" action="/admin/roles" class="form admin-search">
          <Field
            name="username"
            label="Username"
            type="search"
            value={p.username}
            error={p.errors.username}
            autocomplete="off"
            maxlength={50}
          />
          <div class="buttons">
            <button type="submit">Find member</button>
          </div>
        </form>
      </section>
      {p.username && !p.member ? (
        <p class="notice">No member has the username {p.username}.</p>
      ) : null}
      {p.member ? <MemberRoleForm {...p} member={p.member} /> : null}
      {p.username && p.matches.some((m) => m.id !== p.member?.id) ? (
        <section class="admin-section" aria-labelledby="matches-title">
          <h2 id="matches-title">Usernames starting with “{p.username}”</h2>
          <MemberList members={p.matches} />
        </section>
      ) : null}
      <section class="admin-section" aria-labelledby="staff-title">
        <h2 id="staff-title">Current staff</h2>
        {p.staff.length === 0 ? (
          <p class="empty">No moderators or administrators.</p>
        ) : (
          <MemberList members={p.staff} />
        )}
      </section>
    </AdminSectionPage>
  );
}

/** Members with their role, each a link to their role form. */
function MemberList({ members }: { members: MemberRole[] }) {
  return (
    <ul class="member-list">
      {members.map((m) => (
        <li>
          <a href={`/admin/roles?username=${encodeURIComponent(m.username)}`}>{m.username}</a>
          {' — '}
          {ROLE_NAMES[m.role]}
        </li>
      ))}
    </ul>
  );
}

function MemberRoleForm(p: RolesPageProps & { member: MemberRole }) {
  const m = p.member;
  return (
    <section class="admin-section" aria-labelledby="member-title">
      <h2 id="member-title">
        <a href={`/u/${m.username}`}>{m.username}</a>
      </h2>
      <ErrorSummary errors={p.errors} labels={{ role: 'Role' }} />
      <p>
        {ROLE_NAMES[m.role]}, joined <Time date={m.createdAt} dateOnly />.
      </p>
      {!p.canChange ? (
        <p>
          This is you. You cannot take away your own administrator role: another administrator has
          to, so that the forum always has one.
        </p>
      ) : (
        <form method="post" action={`/admin/roles/${m.username}`} class="form" novalidate>
          <Radios
            name="role"
            legend="Role"
            value={p.role ?? m.role}
            error={p.errors.role}
            options={[
              { value: 'member', label: 'Member' },
              { value: 'moderator', label: 'Moderator', hint: 'Moderates every forum.' },
              {
                value: 'admin',
                label: 'Administrator',
                hint: 'Moderates, and manages forums, roles and watched words.',
              },
            ]}
          />
          <div class="buttons">
            <button type="submit">Change role</button>
          </div>
        </form>
      )}
    </section>
  );
}
