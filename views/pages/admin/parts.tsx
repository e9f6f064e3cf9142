/** What every /admin page has: the navigation between its sections and the notice of a change. */

type Section = 'forums' | 'roles' | 'watched-words';

export function AdminNav({ current }: { current: Section }) {
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
