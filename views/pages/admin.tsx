/** /admin: forums, roles and watched words, for administrators. */
import { FORUM_CATEGORIES, type ForumCategory, type Role } from '../../domain/words';
import type { AdminForum, MemberRole, WatchedWordRow } from '../../src/services/admin';
import {
  MAX_FORUM_DESCRIPTION,
  MAX_FORUM_NAME,
  MAX_FORUM_SLUG,
  MAX_PLIMUS_ID,
  MAX_PLIMUS_NAME,
  MAX_WATCHED_WORD,
} from '../../src/validation/admin-forms';
import { Breadcrumbs } from '../components/breadcrumbs';
import { Radios, Select } from '../components/choice';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export const CATEGORY_NAMES: Record<ForumCategory, string> = {
  products: 'Products',
  marketplace: 'Marketplace',
  community: 'Community',
};

const ROLE_NAMES: Record<Role, string> = {
  member: 'Member',
  moderator: 'Moderator',
  admin: 'Administrator',
};

type Section = 'forums' | 'roles' | 'watched-words';

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
      </ul>
    </nav>
  );
}

function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <p class="notice notice-ok" role="status">
      {text}
    </p>
  ) : null;
}

// Forums

export type AdminForumsPageProps = { frame: Frame; forums: AdminForum[]; notice?: string };

export function AdminForumsPage(p: AdminForumsPageProps) {
  return (
    <Layout frame={p.frame} title="Administration: forums" noindex>
      <h1>Administration</h1>
      <AdminNav current="forums" />
      <Notice text={p.notice} />
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
    </Layout>
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

const categoryOptions = FORUM_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] }));

export type ForumValues = {
  slug?: string;
  name?: string;
  description?: string;
  category?: string;
  vendor_id?: string;
  vendor_name?: string;
  product_id?: string;
  product_name?: string;
};

const FORUM_LABELS: Record<string, string> = {
  slug: 'Address',
  name: 'Name',
  description: 'Description',
  category: 'Category',
  vendor_id: 'Vendor id',
  vendor_name: 'Vendor name',
  product_id: 'Product id',
  product_name: 'Product name',
};

function DetailsFields({ values, errors }: { values: ForumValues; errors: FieldErrors }) {
  return (
    <>
      <Field
        name="name"
        label="Name"
        value={values.name}
        error={errors.name}
        hint={`2 to ${MAX_FORUM_NAME} characters, shown on the forum index.`}
        required
        maxlength={MAX_FORUM_NAME}
      />
      <Field
        name="description"
        label="Description"
        value={values.description}
        error={errors.description}
        hint={`Optional; one line of up to ${MAX_FORUM_DESCRIPTION} characters.`}
        maxlength={MAX_FORUM_DESCRIPTION}
      />
    </>
  );
}

function ProductFields({ values, errors }: { values: ForumValues; errors: FieldErrors }) {
  return (
    <>
      <p class="hint">
        The ids are the Plimus identity's (as in its <code>plimus_vendor_id</code> and{' '}
        <code>plimus_purchases</code> claims), so that vendor staff and buyers are recognised. A
        vendor or product that is new to the forums is created; a known one takes the name given
        here.
      </p>
      <div class="admin-pair">
        <Field
          name="vendor_id"
          label="Vendor id"
          value={values.vendor_id}
          error={errors.vendor_id}
          maxlength={MAX_PLIMUS_ID}
        />
        <Field
          name="vendor_name"
          label="Vendor name"
          value={values.vendor_name}
          error={errors.vendor_name}
          maxlength={MAX_PLIMUS_NAME}
        />
      </div>
      <div class="admin-pair">
        <Field
          name="product_id"
          label="Product id"
          value={values.product_id}
          error={errors.product_id}
          maxlength={MAX_PLIMUS_ID}
        />
        <Field
          name="product_name"
          label="Product name"
          value={values.product_name}
          error={errors.product_name}
          maxlength={MAX_PLIMUS_NAME}
        />
      </div>
    </>
  );
}

export type NewForumPageProps = { frame: Frame; values: ForumValues; errors: FieldErrors };

export function NewForumPage(p: NewForumPageProps) {
  return (
    <Layout frame={p.frame} title="Administration: new forum" noindex>
      <Breadcrumbs items={[{ href: '/admin', label: 'Administration' }]} />
      <h1>New forum</h1>
      <form method="post" action="/admin/forums" class="form" novalidate>
        <ErrorSummary errors={p.errors} labels={FORUM_LABELS} />
        <Field
          name="slug"
          label="Address"
          value={p.values.slug}
          error={p.errors.slug}
          hint={
            <>
              The forum will be at /f/<em>address</em>: 2 to {MAX_FORUM_SLUG} letters a-z, digits
              and hyphens, like <code>acme-backup</code>. It cannot be changed later, because links
              to the forum must keep working.
            </>
          }
          required
          maxlength={MAX_FORUM_SLUG}
        />
        <DetailsFields values={p.values} errors={p.errors} />
        <Select
          name="category"
          label="Category"
          value={p.values.category}
          error={p.errors.category}
          options={[
            { value: '', label: 'Products if tied to a product, otherwise Community' },
            ...categoryOptions,
          ]}
        />
        <fieldset class="field admin-product">
          <legend>Vendor's product (optional)</legend>
          <p class="hint">
            For a product forum fill in all four fields; for any other forum leave them empty.
          </p>
          <ProductFields values={p.values} errors={p.errors} />
        </fieldset>
        <div class="buttons">
          <button type="submit">Create forum</button>
          <a href="/admin">Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

export type EditForumPageProps = {
  frame: Frame;
  forum: AdminForum;
  notice?: string | undefined;
  errors: FieldErrors;
  /** what was typed into the form that came back with errors */
  values?: ForumValues;
};

export function EditForumPage(p: EditForumPageProps) {
  const f = p.forum;
  const v: ForumValues = {
    name: f.name,
    description: f.description,
    category: f.category,
    vendor_id: f.product?.vendor.plimusVendorId,
    vendor_name: f.product?.vendor.name,
    product_id: f.product?.plimusProductId,
    product_name: f.product?.name,
    ...p.values,
  };
  return (
    <Layout frame={p.frame} title={`Administration: ${f.name}`} noindex>
      <Breadcrumbs items={[{ href: '/admin', label: 'Administration' }]} />
      <h1>
        {f.name} {f.archived ? <span class="tag">Archived</span> : null}
      </h1>
      <Notice text={p.notice} />
      <ErrorSummary errors={p.errors} labels={FORUM_LABELS} />
      <p>
        At <a href={`/f/${f.slug}`}>/f/{f.slug}</a>, in {CATEGORY_NAMES[f.category]}.{' '}
        {f.topicCount.toLocaleString('en-US')} {f.topicCount === 1 ? 'topic' : 'topics'},{' '}
        {f.postCount.toLocaleString('en-US')} {f.postCount === 1 ? 'post' : 'posts'}. The address
        stays as it is: links to the forum live in search engines and on other sites.
      </p>

      <section class="admin-section" aria-labelledby="details-title">
        <h2 id="details-title">Name, description and category</h2>
        <form method="post" action={`/admin/forums/${f.id}`} class="form" novalidate>
          <DetailsFields values={v} errors={p.errors} />
          <Select
            name="category"
            label="Category"
            value={v.category}
            error={p.errors.category}
            hint="A forum moved to another category goes to the end of it."
            options={categoryOptions}
          />
          <div class="buttons">
            <button type="submit">Save</button>
          </div>
        </form>
      </section>

      <section class="admin-section" aria-labelledby="product-title">
        <h2 id="product-title">Vendor's product</h2>
        {f.product ? (
          <p>
            A product forum of <strong>{f.product.vendor.name}</strong> (vendor id{' '}
            <code>{f.product.vendor.plimusVendorId}</code>) for <strong>{f.product.name}</strong>{' '}
            (product id <code>{f.product.plimusProductId}</code>
            ): its staff and the product's buyers get their badges here.
          </p>
        ) : (
          <p>Not tied to a product. Tie it to one to make it that product's forum.</p>
        )}
        <form method="post" action={`/admin/forums/${f.id}/product`} class="form" novalidate>
          <ProductFields values={v} errors={p.errors} />
          <div class="buttons">
            <button type="submit">{f.product ? 'Change product' : 'Tie to product'}</button>
          </div>
        </form>
        {f.product ? (
          <form method="post" action={`/admin/forums/${f.id}/product/remove`} class="buttons">
            <button type="submit" class="button-secondary">
              Untie from {f.product.name}
            </button>
          </form>
        ) : null}
      </section>

      <section class="admin-section" aria-labelledby="archive-title">
        <h2 id="archive-title">{f.archived ? 'Archived' : 'Archive'}</h2>
        {f.archived ? (
          <>
            <p>
              This forum is read-only: its topics stay readable, but nobody can start a topic, reply
              or edit a post in it.
            </p>
            <form method="post" action={`/admin/forums/${f.id}/unarchive`} class="buttons">
              <button type="submit">Open the forum again</button>
            </form>
          </>
        ) : (
          <>
            <p>
              An archived forum stays readable, but nobody can start a topic, reply or edit a post
              in it. You can open it again at any time.
            </p>
            <form method="post" action={`/admin/forums/${f.id}/archive`} class="buttons">
              <button type="submit" class="button-danger">
                Archive this forum
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

// Roles

export type RolesPageProps = {
  frame: Frame;
  notice?: string | undefined;
  /** what was searched for; empty before a search */
  username: string;
  /** the member found; null when nobody has that username */
  member: MemberRole | null;
  /** false for the viewer's own account: nobody takes away their own admin role */
  canChange: boolean;
  role?: string | undefined;
  errors: FieldErrors;
};

export function RolesPage(p: RolesPageProps) {
  return (
    <Layout frame={p.frame} title="Administration: roles" noindex>
      <h1>Administration</h1>
      <AdminNav current="roles" />
      <Notice text={p.notice} />
      <section class="admin-section" aria-labelledby="roles-title">
        <h2 id="roles-title">Roles</h2>
        <p>
          Moderators work the report queue and moderate every forum; administrators also manage
          forums, roles and watched words. Find a member by username to change their role.
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
    </Layout>
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

// Watched words

export type WatchedWordsPageProps = {
  frame: Frame;
  notice?: string | undefined;
  words: WatchedWordRow[];
  values: { word?: string; action?: string };
  errors: FieldErrors;
};

export function WatchedWordsPage(p: WatchedWordsPageProps) {
  return (
    <Layout frame={p.frame} title="Administration: watched words" noindex>
      <h1>Administration</h1>
      <AdminNav current="watched-words" />
      <Notice text={p.notice} />
      <section class="admin-section" aria-labelledby="words-title">
        <h2 id="words-title">Watched words</h2>
        <p>
          A post that contains a watched word or phrase is either blocked (the author is told why
          and can change it) or held until a moderator approves it. Words match whole, without
          regard to case; the words of a phrase match across any spacing.
        </p>
        {p.words.length === 0 ? (
          <p class="muted">The list is empty.</p>
        ) : (
          <table class="admin-words">
            <thead>
              <tr>
                <th scope="col">Word or phrase</th>
                <th scope="col">A post with it is</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span class="admin-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.words.map((w) => (
                <tr>
                  <td>{w.word}</td>
                  <td>{w.action === 'block' ? 'blocked' : 'held for approval'}</td>
                  <td>
                    <Time date={w.createdAt} dateOnly />
                  </td>
                  <td>
                    <form
                      method="post"
                      action={`/admin/watched-words/${w.id}/remove`}
                      class="inline-form"
                    >
                      <button
                        type="submit"
                        class="button-secondary"
                        aria-label={`Remove: ${w.word}`}
                      >
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="admin-section" aria-labelledby="add-word-title">
        <h2 id="add-word-title">Add a word or phrase</h2>
        <form method="post" action="/admin/watched-words" class="form" novalidate>
          <ErrorSummary errors={p.errors} labels={{ word: 'Word or phrase', action: 'Action' }} />
          <Field
            name="word"
            label="Word or phrase"
            value={p.values.word}
            error={p.errors.word}
            hint={`1 to ${MAX_WATCHED_WORD} characters, with at least one letter or digit.`}
            required
            maxlength={MAX_WATCHED_WORD}
          />
          <Radios
            name="action"
            legend="A post that contains it is"
            value={p.values.action}
            error={p.errors.action}
            options={[
              {
                value: 'block',
                label: 'Blocked',
                hint: 'The author gets the post back with a message.',
              },
              {
                value: 'hold',
                label: 'Held for approval',
                hint: 'Only its author and moderators see it until a moderator approves it.',
              },
            ]}
          />
          <div class="buttons">
            <button type="submit">Add</button>
          </div>
        </form>
      </section>
    </Layout>
  );
}
