/**
 * What the /admin pages share: the frame of its sections (forums, roles, watched words, email)
 * with the navigation between them, and the notice of a change.
 */
import type { Child } from 'hono/jsx';
import { type Frame, Layout } from '../../layouts/site';

type Section = 'forums' | 'roles' | 'watched-words' | 'mail';

const SECTION_TITLES: Record<Section, string> = {
  forums: 'forums',
  roles: 'roles',
  'watched-words': 'watched words',
  mail: 'email',
};

/** A section's page: "Administration", the navigation, the notice, then the section. */
export function AdminSectionPage(p: {
  frame: Frame;
  section: Section;
  notice: string | undefined;
  children: Child;
}) {
  return (
    <Layout frame={p.frame} title={`Administration: ${SECTION_TITLES[p.section]}`} noindex>
      <h1>Administration</h1>
      <AdminNav current={p.section} />
      <Notice text={p.notice} />
      {p.children}
    </Layout>
  );
}

function AdminNav({ current }: { current: Section }) {
  const link = (section: Section, href: string, label: string) => (
    <li>
      <a href={href} aria-current={current === section ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <nav class="admin-nav" aria-label="Administration">
      <ul>
        {link('forums', '/admin', 'Forums')}
        {link('roles', '/admin/roles', 'Roles')}
        {link('watched-words', '/admin/watched-words', 'Watched words')}
        {link('mail', '/admin/mail', 'Email')}
      </ul>
    </nav>
  );
}

export function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <p class="notice notice-ok" role="status">
      {text}
    </p>
  ) : null;
}
